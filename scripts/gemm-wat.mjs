// Writes the WebAssembly text of Netwright's float32 matrix product (relaxed SIMD's fused
// multiply-add: f32x4.relaxed_madd, one instruction for four multiply-adds where the CPU has FMA, as
// x86-64 since 2013 and every arm64 does; XNNPACK's wasm build in tfjs 4.22 multiplies and adds).
// Written out by this generator, not by hand, because the inner kernel is unrolled over ROWS rows of
// a times 8 columns of b (2·ROWS vector accumulators). scripts/wasm-kernels.mjs assembles it into
// src/main/trainer/kernels-wasm.ts.
//
// gemm(a, b, c, bias, packB, packA, M, K, N, start, relu, ta, tb, lda, ldb):
//   c[M×N] = s + op(a)·op(b) (then max(·, 0) when relu), addresses in bytes, c row-major, where
//   op(a) is a [M×K] row-major, or stored transposed ([K×M]) when ta; op(b) is b [K×N], or stored
//   [N×K] when tb; s is 0 (start 0), bias[N] on every row (start 1) or what c holds (start 2: a
//   product summed in parts). lda, ldb: the stored rows' lengths in floats (K or M for a, N or K
//   for b when whole; more when a or b is part of a larger matrix). packB: scratch of KC×8 floats;
//   packA: of M×KC floats.
// k goes in blocks of KC. Each block of a is packed once, ROWS rows interleaved (k by k), then the
// rows left one by one; each block of a panel of 8 columns of b is packed contiguous and stays in
// the L1 cache while every ROWS rows run along it. Packing also flushes subnormal numbers to zero,
// as TensorFlow's kernels run (the CPU's flush-to-zero and denormals-are-zero modes, which
// WebAssembly cannot set): a product over subnormals is ~10× slower, and an LSTM's gradients through
// 200 steps are full of them. The last N mod 8 columns are plain dot products.

export const ROWS = 4
export const KC = 256
/** The smallest normal float32: anything smaller in magnitude is flushed. */
const MIN_NORMAL = '1.17549435e-38'

const r = (n) => Array.from({ length: n }, (_, i) => i)
const get = (x) => `(local.get $${x})`
const set = (x, v) => `(local.set $${x} ${v})`
const add = (x, v) => `(i32.add ${get(x)} ${typeof v === 'number' ? `(i32.const ${v})` : v})`
const mul = (x, y) => `(i32.mul ${x} ${y})`
const zero = '(v128.const f32x4 0 0 0 0)'
const flushV = (v) =>
  `(v128.andnot ${v} (f32x4.lt (f32x4.abs ${v}) (v128.const f32x4 ${Array(4).fill(MIN_NORMAL).join(' ')})))`
/** A float32 at `addr`, flushed (its value is read once, into $f). */
const flushedLoad = (addr) =>
  `(block (result f32) ${set('f', `(f32.load ${addr})`)} (select (f32.const 0) ${get('f')} (f32.lt (f32.abs ${get('f')}) (f32.const ${MIN_NORMAL}))))`
/** Address of op(a)[i, k] and op(b)[k, j] by the strides set up front. */
const aAt = (i, k) => `(i32.add ${get('a')} (i32.add ${mul(i, get('sAi'))} ${mul(k, get('sAk'))}))`
const bAt = (k, j) => `(i32.add ${get('b')} (i32.add ${mul(k, get('sBk'))} ${mul(j, get('sBj'))}))`
/** i8x16.shuffle picking float lanes (0-3 from x, 4-7 from y). */
const shuffle = (x, y, lanes) =>
  `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((b) => l * 4 + b)).join(' ')} ${get(x)} ${get(y)})`
const loop = (name, cond, body) => [
  `(block $${name}Done (loop $${name}`,
  `(br_if $${name}Done ${cond})`,
  ...body,
  `(br $${name})))`,
]

/** The kernel over `rows` rows from $i, their packed a at $pa: accumulate the k block, store into c. */
function block(rows) {
  const acc = (row, h) => `a${row}${h}`
  const cRow = (row) =>
    `(i32.add ${get('cj')} ${mul(`(i32.add ${get('i')} (i32.const ${row}))`, get('rowC'))})`
  return [
    // Start from the bias (first block) or from what c holds.
    `(if ${get('first')} (then ${r(rows)
      .flatMap((row) => [set(acc(row, 0), get('bias0')), set(acc(row, 1), get('bias1'))])
      .join(' ')}) (else ${r(rows)
      .flatMap((row) => [
        set(acc(row, 0), `(v128.load ${cRow(row)})`),
        set(acc(row, 1), `(v128.load offset=16 ${cRow(row)})`),
      ])
      .join(' ')}))`,
    set('pb', get('packB')),
    ...loop(`k${rows}`, `(i32.ge_u ${get('pb')} ${get('pend')})`, [
      set('b0', `(v128.load ${get('pb')})`),
      set('b1', `(v128.load offset=16 ${get('pb')})`),
      ...r(rows).flatMap((row) => [
        set('x', `(v128.load32_splat offset=${row * 4} ${get('pa')})`),
        ...[0, 1].map((h) =>
          set(acc(row, h), `(f32x4.relaxed_madd ${get('x')} ${get(`b${h}`)} ${get(acc(row, h))})`),
        ),
      ]),
      set('pa', add('pa', rows * 4)),
      set('pb', add('pb', 32)),
    ]),
    `(if ${get('last')} (then ${r(rows)
      .flatMap((row) => [0, 1].map((h) => set(acc(row, h), `(f32x4.max ${get(acc(row, h))} ${zero})`)))
      .join(' ')}))`,
    ...r(rows).flatMap((row) => [
      `(v128.store ${cRow(row)} ${get(acc(row, 0))})`,
      `(v128.store offset=16 ${cRow(row)} ${get(acc(row, 1))})`,
    ]),
  ]
}

export function gemmWat() {
  const params = [
    'a',
    'b',
    'c',
    'bias',
    'packB',
    'packA',
    'M',
    'K',
    'N',
    'start',
    'relu',
    'ta',
    'tb',
    'lda',
    'ldb',
  ]
  const i32s = [
    ...['i', 'j', 'k', 'k0', 'kn', 'N8', 'rowC', 'pb', 'pa', 'pend', 'src', 'cj', 'first', 'last', 'rr'],
    ...['sAi', 'sAk', 'sBk', 'sBj', 'pd', 'qd'],
  ]
  const vecs = [
    ...['bias0', 'bias1', 'b0', 'b1', 'x', 'r0', 'r1', 'r2', 'r3', 't0', 't1', 't2', 't3'],
    ...r(ROWS).flatMap((row) => [`a${row}0`, `a${row}1`]),
  ]
  const kAbs = `(i32.add ${get('k0')} ${get('k')})`
  const lines = [
    ';; Generated by scripts/gemm-wat.mjs: do not edit (see there).',
    '(module',
    '(import "env" "memory" (memory 1))',
    `(func (export "gemm") ${params.map((p) => `(param $${p} i32)`).join(' ')}`,
    i32s.map((l) => `(local $${l} i32)`).join(' '),
    vecs.map((l) => `(local $${l} v128)`).join(' '),
    '(local $s f32) (local $f f32)',
    set('rowC', `(i32.shl ${get('N')} (i32.const 2))`),
    set('N8', `(i32.and ${get('N')} (i32.const -8))`),
    // Strides in bytes of op(a)[i, k] and op(b)[k, j].
    `(if ${get('ta')} (then ${set('sAi', '(i32.const 4)')} ${set('sAk', `(i32.shl ${get('lda')} (i32.const 2))`)}) (else ${set('sAi', `(i32.shl ${get('lda')} (i32.const 2))`)} ${set('sAk', '(i32.const 4)')}))`,
    `(if ${get('tb')} (then ${set('sBk', '(i32.const 4)')} ${set('sBj', `(i32.shl ${get('ldb')} (i32.const 2))`)}) (else ${set('sBk', `(i32.shl ${get('ldb')} (i32.const 2))`)} ${set('sBj', '(i32.const 4)')}))`,
    // Blocks of KC steps of k.
    set('k0', '(i32.const 0)'),
    ...loop('kb', `(i32.ge_u ${get('k0')} ${get('K')})`, [
      set('kn', `(i32.sub ${get('K')} ${get('k0')})`),
      `(if (i32.gt_u ${get('kn')} (i32.const ${KC})) (then ${set('kn', `(i32.const ${KC})`)}))`,
      set('first', `(i32.and (i32.eqz ${get('k0')}) (i32.ne ${get('start')} (i32.const 2)))`),
      set('last', `(i32.and ${get('relu')} (i32.eq (i32.add ${get('k0')} ${get('kn')}) ${get('K')}))`),
      set('pend', `(i32.add ${get('packB')} (i32.shl ${get('kn')} (i32.const 5)))`),
      // Pack a's block: ROWS rows interleaved k by k, then the rows left one by one.
      set('pa', get('packA')),
      set('i', '(i32.const 0)'),
      ...loop('packAg', `(i32.gt_u ${add('i', ROWS)} ${get('M')})`, [
        set('k', '(i32.const 0)'),
        `(if ${get('ta')} (then`,
        // Stored transposed: the group's ROWS values at each k lie side by side.
        ...loop('packAt', `(i32.ge_u ${get('k')} ${get('kn')})`, [
          set('x', `(v128.load ${aAt(get('i'), kAbs)})`),
          `(v128.store ${get('pa')} ${flushV(get('x'))})`,
          set('pa', add('pa', 16)),
          set('k', add('k', 1)),
        ]),
        ') (else',
        // Row-major: four steps of k of each row, a 4×4 transpose, four packed vectors.
        ...loop('packA4', `(i32.gt_u ${add('k', 4)} ${get('kn')})`, [
          ...r(ROWS).map((row) =>
            set(`r${row}`, `(v128.load ${aAt(`(i32.add ${get('i')} (i32.const ${row}))`, kAbs)})`),
          ),
          ...r(ROWS).map((row) => set(`r${row}`, flushV(get(`r${row}`)))),
          set('t0', shuffle('r0', 'r1', [0, 4, 1, 5])),
          set('t1', shuffle('r2', 'r3', [0, 4, 1, 5])),
          set('t2', shuffle('r0', 'r1', [2, 6, 3, 7])),
          set('t3', shuffle('r2', 'r3', [2, 6, 3, 7])),
          `(v128.store ${get('pa')} ${shuffle('t0', 't1', [0, 1, 4, 5])})`,
          `(v128.store offset=16 ${get('pa')} ${shuffle('t0', 't1', [2, 3, 6, 7])})`,
          `(v128.store offset=32 ${get('pa')} ${shuffle('t2', 't3', [0, 1, 4, 5])})`,
          `(v128.store offset=48 ${get('pa')} ${shuffle('t2', 't3', [2, 3, 6, 7])})`,
          set('pa', add('pa', 64)),
          set('k', add('k', 4)),
        ]),
        ...loop('packAk', `(i32.ge_u ${get('k')} ${get('kn')})`, [
          ...r(ROWS).map(
            (row) =>
              `(f32.store offset=${row * 4} ${get('pa')} ${flushedLoad(aAt(`(i32.add ${get('i')} (i32.const ${row}))`, kAbs))})`,
          ),
          set('pa', add('pa', ROWS * 4)),
          set('k', add('k', 1)),
        ]),
        '))',
        set('i', add('i', ROWS)),
      ]),
      ...loop('packA1', `(i32.ge_u ${get('i')} ${get('M')})`, [
        set('k', '(i32.const 0)'),
        ...loop('packA1k', `(i32.ge_u ${get('k')} ${get('kn')})`, [
          `(f32.store ${get('pa')} ${flushedLoad(aAt(get('i'), kAbs))})`,
          set('pa', add('pa', 4)),
          set('k', add('k', 1)),
        ]),
        set('i', add('i', 1)),
      ]),
      // Panels of 8 columns.
      set('j', '(i32.const 0)'),
      ...loop('panels', `(i32.ge_u ${get('j')} ${get('N8')})`, [
        set('cj', `(i32.add ${get('c')} (i32.shl ${get('j')} (i32.const 2)))`),
        `(if (i32.eq ${get('start')} (i32.const 1)) (then`,
        set('bias0', `(v128.load (i32.add ${get('bias')} (i32.shl ${get('j')} (i32.const 2))))`),
        set('bias1', `(v128.load offset=16 (i32.add ${get('bias')} (i32.shl ${get('j')} (i32.const 2))))`),
        `) (else ${set('bias0', zero)} ${set('bias1', zero)}))`,
        // Pack b's block of the panel, 32 bytes a k: two vectors when its rows are b's, else one by one.
        set('pb', get('packB')),
        set('k', '(i32.const 0)'),
        `(if ${get('tb')} (then`,
        ...loop('packBt', `(i32.ge_u ${get('pb')} ${get('pend')})`, [
          ...r(8).map(
            (col) =>
              `(f32.store offset=${col * 4} ${get('pb')} ${flushedLoad(bAt(kAbs, `(i32.add ${get('j')} (i32.const ${col}))`))})`,
          ),
          set('pb', add('pb', 32)),
          set('k', add('k', 1)),
        ]),
        ') (else',
        set('src', bAt(get('k0'), get('j'))),
        ...loop('packB', `(i32.ge_u ${get('pb')} ${get('pend')})`, [
          set('x', `(v128.load ${get('src')})`),
          `(v128.store ${get('pb')} ${flushV(get('x'))})`,
          set('x', `(v128.load offset=16 ${get('src')})`),
          `(v128.store offset=16 ${get('pb')} ${flushV(get('x'))})`,
          set('src', add('src', get('sBk'))),
          set('pb', add('pb', 32)),
        ]),
        '))',
        // ROWS rows at a time, then one at a time, along the packed a.
        set('pa', get('packA')),
        set('i', '(i32.const 0)'),
        ...loop('groups', `(i32.gt_u ${add('i', ROWS)} ${get('M')})`, [
          ...block(ROWS),
          set('i', add('i', ROWS)),
        ]),
        ...loop('rows', `(i32.ge_u ${get('i')} ${get('M')})`, [...block(1), set('i', add('i', 1))]),
        set('j', add('j', 8)),
      ]),
      set('k0', add('k0', get('kn'))),
    ]),
    // The last N mod 8 columns: a dot product each, in order of k.
    set('i', '(i32.const 0)'),
    ...loop('tailRows', `(i32.ge_u ${get('i')} ${get('M')})`, [
      set('j', get('N8')),
      ...loop('tailCols', `(i32.ge_u ${get('j')} ${get('N')})`, [
        set(
          'qd',
          `(i32.add ${get('c')} (i32.add ${mul(get('i'), get('rowC'))} (i32.shl ${get('j')} (i32.const 2))))`,
        ),
        set('s', '(f32.const 0)'),
        `(if (i32.eq ${get('start')} (i32.const 1)) (then ${set('s', `(f32.load (i32.add ${get('bias')} (i32.shl ${get('j')} (i32.const 2))))`)}))`,
        `(if (i32.eq ${get('start')} (i32.const 2)) (then ${set('s', `(f32.load ${get('qd')})`)}))`,
        set('pd', aAt(get('i'), '(i32.const 0)')),
        set('src', bAt('(i32.const 0)', get('j'))),
        set('rr', '(i32.const 0)'),
        ...loop('dot', `(i32.ge_u ${get('rr')} ${get('K')})`, [
          set('s', `(f32.add ${get('s')} (f32.mul (f32.load ${get('pd')}) (f32.load ${get('src')})))`),
          set('pd', add('pd', get('sAk'))),
          set('src', add('src', get('sBk'))),
          set('rr', add('rr', 1)),
        ]),
        `(if ${get('relu')} (then ${set('s', `(f32.max ${get('s')} (f32.const 0))`)}))`,
        `(f32.store ${get('qd')} ${get('s')})`,
        set('j', add('j', 1)),
      ]),
      set('i', add('i', 1)),
    ]),
    '))',
  ]
  return lines.join('\n') + '\n'
}
