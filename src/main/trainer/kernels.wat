;; Netwright's own WebAssembly SIMD kernels, run over tfjs-backend-wasm's heap: this module imports
;; the backend's own memory, so a kernel reads its inputs where wasm keeps them and writes its
;; outputs there, with no copy. Assembled by `npm run wasm-kernels` into kernels-wasm.ts, with the
;; functions of kernels-conv.wat (pooling, convolution patches) and kernels-products.wat (products
;; with a short side) added to this module (a test checks the bytes agree). Addresses and lengths
;; are in bytes; every buffer holds float32s. Here: Adam, sums and per-channel arithmetic, ReLU's
;; gradients.
(module
  (import "env" "memory" (memory 1))

  ;; One Adam step over n weights, in the order of operations of tfjs 4.22's AdamOptimizer, each in
  ;; float32 as its kernels round them (no fused multiply-add), so the result is the same bits:
  ;;   m' = m·b1 + g·c1            (c1 = 1 − beta1, b1 = beta1)
  ;;   v' = v·b2 + (g·g)·c2
  ;;   w' = ((m'/d1) / (sqrt(v'/d2) + eps))·nlr + w     (d = 1 − beta^t, nlr = −learning rate)
  ;; m', v', w' go to om, ov, ow (new buffers: the old ones may be shared with other tensors).
  (func (export "adam")
    (param $g i32) (param $m i32) (param $v i32) (param $w i32)
    (param $om i32) (param $ov i32) (param $ow i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $d1 f32) (param $d2 f32) (param $eps f32) (param $nlr f32)
    (local $i i32) (local $vec i32)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128)
    (local $D1 v128) (local $D2 v128) (local $EPS v128) (local $NLR v128)
    (local $G v128) (local $M v128) (local $V v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $D1 (f32x4.splat (local.get $d1)))
    (local.set $D2 (f32x4.splat (local.get $d2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $NLR (f32x4.splat (local.get $nlr)))
    ;; Four at a time, then the rest one by one.
    (local.set $vec (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $four
        (br_if $done (i32.ge_u (local.get $i) (local.get $vec)))
        (local.set $G (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $M
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $B1))
            (f32x4.mul (local.get $G) (local.get $C1))))
        (local.set $V
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $G) (local.get $G)) (local.get $C2))))
        (v128.store (i32.add (local.get $om) (local.get $i)) (local.get $M))
        (v128.store (i32.add (local.get $ov) (local.get $i)) (local.get $V))
        (v128.store (i32.add (local.get $ow) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $M) (local.get $D1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $V) (local.get $D2))) (local.get $EPS)))
              (local.get $NLR))
            (v128.load (i32.add (local.get $w) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $four)))
    (block $end
      (loop $one
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $om) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $ov) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $ow) (local.get $i))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $d1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $d2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $w) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $one))))

  ;; out[c] = Σ over rows r of x[r, c], cols a multiple of 4, summed in float64 row by row (acc: cols
  ;; float64s of scratch) and rounded to float32 once, as the heap kernel in JavaScript did.
  (func (export "columnSum") (param $x i32) (param $out i32) (param $acc i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $rowB i32) (local $p i32) (local $q i32) (local $V v128)
    (local.set $rowB (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $c (i32.const 0))
    (block $zDone (loop $zs (br_if $zDone (i32.ge_u (local.get $c) (local.get $cols)))
      (v128.store (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))) (v128.const i64x2 0 0))
      (local.set $c (i32.add (local.get $c) (i32.const 2)))
      (br $zs)))
    (local.set $p (local.get $x))
    (local.set $r (i32.const 0))
    (block $rDone (loop $rs (br_if $rDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $q (local.get $acc))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cs (br_if $cDone (i32.ge_u (local.get $c) (local.get $rowB)))
        (local.set $V (v128.load (i32.add (local.get $p) (local.get $c))))
        (v128.store (local.get $q)
          (f64x2.add (v128.load (local.get $q)) (f64x2.promote_low_f32x4 (local.get $V))))
        (v128.store offset=16 (local.get $q)
          (f64x2.add (v128.load offset=16 (local.get $q))
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $V) (local.get $V)))))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cs)))
      (local.set $p (i32.add (local.get $p) (local.get $rowB)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rs)))
    (local.set $c (i32.const 0))
    (block $oDone (loop $os (br_if $oDone (i32.ge_u (local.get $c) (local.get $rowB)))
      (v128.store (i32.add (local.get $out) (local.get $c))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 1)))))
          (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 1)))))))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $os)))
  )

  ;; out[r, c] = x[r, c] op row[c] for rows × cols, cols a multiple of 4: a per-channel value (a
  ;; bias, BatchNormalization's mean, scale, …) applied at every position. op: 0 x + row, 1 x − row,
  ;; 2 row − x, 3 x · row, 4 x / row, 5 row / x.
  (func (export "rowOp") (param $x i32) (param $row i32) (param $out i32) (param $rows i32) (param $cols i32)
    (param $op i32)
    (local $r i32) (local $c i32) (local $rowB i32) (local $p i32) (local $o i32) (local $X v128) (local $R v128)
    (local $Y v128)
    (local.set $rowB (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $p (local.get $x))
    (local.set $o (local.get $out))
    (local.set $r (i32.const 0))
    (block $rDone (loop $rs (br_if $rDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cs (br_if $cDone (i32.ge_u (local.get $c) (local.get $rowB)))
        (local.set $X (v128.load (i32.add (local.get $p) (local.get $c))))
        (local.set $R (v128.load (i32.add (local.get $row) (local.get $c))))
        (block $picked
          (block $b5 (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
            (br_table $b0 $b1 $b2 $b3 $b4 $b5 (local.get $op)))
            (local.set $Y (f32x4.add (local.get $X) (local.get $R))) (br $picked))
            (local.set $Y (f32x4.sub (local.get $X) (local.get $R))) (br $picked))
            (local.set $Y (f32x4.sub (local.get $R) (local.get $X))) (br $picked))
            (local.set $Y (f32x4.mul (local.get $X) (local.get $R))) (br $picked))
            (local.set $Y (f32x4.div (local.get $X) (local.get $R))) (br $picked))
          (local.set $Y (f32x4.div (local.get $R) (local.get $X))))
        (v128.store (i32.add (local.get $o) (local.get $c)) (local.get $Y))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cs)))
      (local.set $p (i32.add (local.get $p) (local.get $rowB)))
      (local.set $o (i32.add (local.get $o) (local.get $rowB)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rs)))
  )

  ;; ReLU's gradient in one pass: out = dy · step(x), step(x) = 1 where x > 0, NaN where x is NaN,
  ;; else 0 (tfjs's Step, Cast and Multiply, the same bits, -0 included). n in bytes, a multiple of 16
  ;; for the vector part, the rest one by one.
  (func (export "reluGrad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $vec i32) (local $X v128) (local $S v128) (local $xs f32) (local $ss f32)
    (local.set $vec (i32.and (local.get $n) (i32.const -16)))
    (block $done (loop $four (br_if $done (i32.ge_u (local.get $i) (local.get $vec)))
      (local.set $X (v128.load (i32.add (local.get $x) (local.get $i))))
      (local.set $S
        (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0)
          (f32x4.gt (local.get $X) (v128.const f32x4 0 0 0 0))))
      (local.set $S
        (v128.bitselect (v128.const f32x4 nan nan nan nan) (local.get $S)
          (f32x4.ne (local.get $X) (local.get $X))))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $i))) (local.get $S)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $four)))
    (block $end (loop $one (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $xs (f32.load (i32.add (local.get $x) (local.get $i))))
      (local.set $ss (select (f32.const 1) (f32.const 0) (f32.gt (local.get $xs) (f32.const 0))))
      (local.set $ss (select (f32.const nan) (local.get $ss) (f32.ne (local.get $xs) (local.get $xs))))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (f32.mul (f32.load (i32.add (local.get $dy) (local.get $i))) (local.get $ss)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $one)))
  )

;; ReLU's gradient and its bias's in one pass (a Dense or Conv2D layer with relu): out = dy · step(y)
  ;; as reluGrad computes it, for rows × cols (cols a multiple of 4), and sum[c] = Σ over rows of
  ;; out[r, c], summed in float64 (acc: cols float64s of scratch) and rounded once, as columnSum.
  (func (export "reluGradSum") (param $dy i32) (param $y i32) (param $out i32) (param $acc i32)
    (param $sum i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $rowB i32) (local $q i32) (local $p i32) (local $X v128)
    (local $S v128) (local $V v128)
    (local.set $rowB (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $cols) (i32.const 3)))
    (block $rDone (loop $rs (br_if $rDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $q (local.get $acc))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cs (br_if $cDone (i32.ge_u (local.get $c) (local.get $rowB)))
        (local.set $X (v128.load (i32.add (local.get $y) (i32.add (local.get $p) (local.get $c)))))
        (local.set $S
          (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0)
            (f32x4.gt (local.get $X) (v128.const f32x4 0 0 0 0))))
        (local.set $S
          (v128.bitselect (v128.const f32x4 nan nan nan nan) (local.get $S)
            (f32x4.ne (local.get $X) (local.get $X))))
        (local.set $V
          (f32x4.mul (v128.load (i32.add (local.get $dy) (i32.add (local.get $p) (local.get $c)))) (local.get $S)))
        (v128.store (i32.add (local.get $out) (i32.add (local.get $p) (local.get $c))) (local.get $V))
        (v128.store (local.get $q)
          (f64x2.add (v128.load (local.get $q)) (f64x2.promote_low_f32x4 (local.get $V))))
        (v128.store offset=16 (local.get $q)
          (f64x2.add (v128.load offset=16 (local.get $q))
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $V) (local.get $V)))))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cs)))
      (local.set $p (i32.add (local.get $p) (local.get $rowB)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rs)))
    (local.set $c (i32.const 0))
    (block $oDone (loop $os (br_if $oDone (i32.ge_u (local.get $c) (local.get $rowB)))
      (v128.store (i32.add (local.get $sum) (local.get $c))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 1)))))
          (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 1)))))))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $os)))
  )
)
