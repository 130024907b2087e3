;; Netwright's own WebAssembly SIMD kernels, run over tfjs-backend-wasm's heap: this module imports
;; the backend's own memory, so a kernel reads its inputs where wasm keeps them and writes its
;; outputs there, with no copy. Assembled by `npm run wasm-kernels` into kernels-wasm.ts (a test
;; checks the two agree). Addresses and lengths are in bytes; every buffer holds float32s.
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

  ;; MaxPool's gradient, NHWC, C a multiple of 4 (four channels a vector): each window's first maximum
  ;; in row-major order (as tfjs's cpu backend picks it) gets the window's incoming gradient, added into
  ;; dx (which the caller zeroes), window after window. Offsets inside x and dx are the same.
  ;; $tiled: the windows do not overlap and lie inside x (stride = window, no dilation, no padding), so
  ;; each window writes its part of dx whole (the gradient at its maximum, 0 elsewhere) and the
  ;; caller zeroes only what no window covers.
  (func (export "maxPoolGrad")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $B i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $top i32) (param $left i32) (param $tiled i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $cg i32) (local $kh i32) (local $kw i32)
    (local $h i32) (local $w i32) (local $h0 i32) (local $w0 i32) (local $g i32) (local $rowC i32)
    (local $o i32) (local $a i32)
    (local $BEST v128) (local $AT v128) (local $V v128) (local $MASK v128) (local $G v128)
    (local.set $rowC (i32.shl (local.get $C) (i32.const 2)))
    (local.set $g (local.get $dy))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bs (br_if $bDone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $oh (i32.const 0))
      (block $ohDone (loop $ohs (br_if $ohDone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $h0 (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $top)))
        (local.set $ow (i32.const 0))
        (block $owDone (loop $ows (br_if $owDone (i32.ge_u (local.get $ow) (local.get $OW)))
          (local.set $w0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $left)))
          (local.set $cg (i32.const 0))
          (block $cDone (loop $cs (br_if $cDone (i32.ge_u (local.get $cg) (local.get $rowC)))
            (local.set $BEST (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $AT (v128.const i32x4 -1 -1 -1 -1))
            (local.set $kh (i32.const 0))
            (block $khDone (loop $khs (br_if $khDone (i32.ge_s (local.get $kh) (local.get $fh)))
              (local.set $h (i32.add (local.get $h0) (local.get $kh)))
              (if (i32.and (i32.ge_s (local.get $h) (i32.const 0)) (i32.lt_s (local.get $h) (local.get $H)))
                (then
                  (local.set $kw (i32.const 0))
                  (block $kwDone (loop $kws (br_if $kwDone (i32.ge_s (local.get $kw) (local.get $fw)))
                    (local.set $w (i32.add (local.get $w0) (local.get $kw)))
                    (if (i32.and (i32.ge_s (local.get $w) (i32.const 0)) (i32.lt_s (local.get $w) (local.get $W)))
                      (then
                        (local.set $o
                          (i32.add
                            (i32.mul
                              (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $h)) (local.get $W))
                                (local.get $w))
                              (local.get $rowC))
                            (local.get $cg)))
                        (local.set $V (v128.load (i32.add (local.get $x) (local.get $o))))
                        (local.set $MASK (f32x4.gt (local.get $V) (local.get $BEST)))
                        (local.set $BEST (v128.bitselect (local.get $V) (local.get $BEST) (local.get $MASK)))
                        (local.set $AT (v128.bitselect (i32x4.splat (local.get $o)) (local.get $AT) (local.get $MASK)))))
                    (local.set $kw (i32.add (local.get $kw) (local.get $dw)))
                    (br $kws)))))
              (local.set $kh (i32.add (local.get $kh) (local.get $dh)))
              (br $khs)))
            (local.set $G (v128.load (local.get $g)))
            (if (local.get $tiled)
              (then
                (local.set $kh (i32.const 0))
                (block $tkhDone (loop $tkhs (br_if $tkhDone (i32.ge_s (local.get $kh) (local.get $fh)))
                  (local.set $kw (i32.const 0))
                  (block $tkwDone (loop $tkws (br_if $tkwDone (i32.ge_s (local.get $kw) (local.get $fw)))
                    (local.set $o
                      (i32.add
                        (i32.mul
                          (i32.add
                            (i32.mul
                              (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.add (local.get $h0) (local.get $kh)))
                              (local.get $W))
                            (i32.add (local.get $w0) (local.get $kw)))
                          (local.get $rowC))
                        (local.get $cg)))
                    (v128.store (i32.add (local.get $dx) (local.get $o))
                      (v128.and (local.get $G) (i32x4.eq (local.get $AT) (i32x4.splat (local.get $o)))))
                    (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                    (br $tkws)))
                  (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                  (br $tkhs))))
              (else
                (local.set $a (i32x4.extract_lane 0 (local.get $AT)))
                (if (i32.ge_s (local.get $a) (i32.const 0))
                  (then
                    (local.set $a (i32.add (local.get $dx) (i32.add (local.get $a) (i32.const 0))))
                    (f32.store (local.get $a)
                      (f32.add (f32.load (local.get $a)) (f32x4.extract_lane 0 (local.get $G))))))
                (local.set $a (i32x4.extract_lane 1 (local.get $AT)))
                (if (i32.ge_s (local.get $a) (i32.const 0))
                  (then
                    (local.set $a (i32.add (local.get $dx) (i32.add (local.get $a) (i32.const 4))))
                    (f32.store (local.get $a)
                      (f32.add (f32.load (local.get $a)) (f32x4.extract_lane 1 (local.get $G))))))
                (local.set $a (i32x4.extract_lane 2 (local.get $AT)))
                (if (i32.ge_s (local.get $a) (i32.const 0))
                  (then
                    (local.set $a (i32.add (local.get $dx) (i32.add (local.get $a) (i32.const 8))))
                    (f32.store (local.get $a)
                      (f32.add (f32.load (local.get $a)) (f32x4.extract_lane 2 (local.get $G))))))
                (local.set $a (i32x4.extract_lane 3 (local.get $AT)))
                (if (i32.ge_s (local.get $a) (i32.const 0))
                  (then
                    (local.set $a (i32.add (local.get $dx) (i32.add (local.get $a) (i32.const 12))))
                    (f32.store (local.get $a)
                      (f32.add (f32.load (local.get $a)) (f32x4.extract_lane 3 (local.get $G))))))))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (local.set $cg (i32.add (local.get $cg) (i32.const 16)))
            (br $cs)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $ows)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohs)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bs)))
  )

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

    ;; ceil(a / s) for s > 0 (i32.div_s rounds toward zero: that is the ceiling where a <= 0).
  (func $ceilDiv (param $a i32) (param $s i32) (result i32)
    (if (result i32) (i32.gt_s (local.get $a) (i32.const 0))
      (then (i32.div_s (i32.sub (i32.add (local.get $a) (local.get $s)) (i32.const 1)) (local.get $s)))
      (else (i32.div_s (local.get $a) (local.get $s)))))

  ;; A convolution's patches of positions [p0, p0 + n) laid out transposed (NHWC x, dilation 1):
  ;; out[r·n + q] = x at patch offset r = (fy, fx, ci) of position p0 + q (batch × output rows ×
  ;; columns), 0 in the padding; a run of positions along one output row at a time, copied whole
  ;; where one channel comes at stride 1. Counts here are in floats, addresses in bytes.
  (func (export "patchRows")
    (param $x i32) (param $out i32) (param $p0 i32) (param $n i32)
    (param $H i32) (param $W i32) (param $cin i32) (param $OH i32) (param $OW i32)
    (param $kw i32) (param $sh i32) (param $sw i32) (param $top i32) (param $left i32) (param $rows i32)
    (local $r i32) (local $fy i32) (local $fx i32) (local $ci i32) (local $to i32) (local $q i32)
    (local $p i32) (local $b i32) (local $ox0 i32) (local $run i32) (local $iy i32) (local $at i32)
    (local $lo i32) (local $hi i32) (local $from i32) (local $k i32) (local $step i32) (local $plane i32)
    (local.set $plane (i32.mul (local.get $OH) (local.get $OW)))
    (local.set $step (i32.shl (i32.mul (local.get $sw) (local.get $cin)) (i32.const 2)))
    (block $rDone (loop $rs (br_if $rDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $fy (i32.div_u (local.get $r) (i32.mul (local.get $kw) (local.get $cin))))
      (local.set $fx (i32.rem_u (i32.div_u (local.get $r) (local.get $cin)) (local.get $kw)))
      (local.set $ci (i32.rem_u (local.get $r) (local.get $cin)))
      (local.set $to (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $q (i32.const 0))
      (local.set $p (local.get $p0))
      (block $qDone (loop $qs (br_if $qDone (i32.ge_u (local.get $q) (local.get $n)))
        (local.set $b (i32.div_u (local.get $p) (local.get $plane)))
        (local.set $ox0 (i32.rem_u (local.get $p) (local.get $OW)))
        (local.set $run (i32.sub (local.get $OW) (local.get $ox0)))
        (if (i32.gt_u (local.get $run) (i32.sub (local.get $n) (local.get $q)))
          (then (local.set $run (i32.sub (local.get $n) (local.get $q)))))
        (local.set $iy
          (i32.sub
            (i32.add
              (i32.mul (i32.rem_u (i32.div_u (local.get $p) (local.get $OW)) (local.get $OH)) (local.get $sh))
              (local.get $fy))
            (local.get $top)))
        (local.set $at (i32.add (local.get $to) (i32.shl (local.get $q) (i32.const 2))))
        (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $H)))
          (then (memory.fill (local.get $at) (i32.const 0) (i32.shl (local.get $run) (i32.const 2))))
          (else
            ;; The output columns whose input column lies inside x: [lo, hi) of this run.
            (local.set $lo
              (i32.sub (call $ceilDiv (i32.sub (local.get $left) (local.get $fx)) (local.get $sw)) (local.get $ox0)))
            (if (i32.lt_s (local.get $lo) (i32.const 0)) (then (local.set $lo (i32.const 0))))
            (if (i32.gt_s (local.get $lo) (local.get $run)) (then (local.set $lo (local.get $run))))
            (local.set $hi
              (i32.sub
                (call $ceilDiv (i32.sub (i32.add (local.get $W) (local.get $left)) (local.get $fx)) (local.get $sw))
                (local.get $ox0)))
            (if (i32.gt_s (local.get $hi) (local.get $run)) (then (local.set $hi (local.get $run))))
            (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
            (memory.fill (local.get $at) (i32.const 0) (i32.shl (local.get $lo) (i32.const 2)))
            (memory.fill (i32.add (local.get $at) (i32.shl (local.get $hi) (i32.const 2))) (i32.const 0)
              (i32.shl (i32.sub (local.get $run) (local.get $hi)) (i32.const 2)))
            (local.set $from
              (i32.add (local.get $x)
                (i32.shl
                  (i32.add
                    (i32.mul
                      (i32.sub
                        (i32.add
                          (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W))
                          (i32.mul (i32.add (local.get $ox0) (local.get $lo)) (local.get $sw)))
                        (i32.sub (local.get $left) (local.get $fx)))
                      (local.get $cin))
                    (local.get $ci))
                  (i32.const 2))))
            (if (i32.and (i32.eq (local.get $cin) (i32.const 1)) (i32.eq (local.get $sw) (i32.const 1)))
              (then
                (memory.copy (i32.add (local.get $at) (i32.shl (local.get $lo) (i32.const 2))) (local.get $from)
                  (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 2))))
              (else
                (local.set $k (local.get $lo))
                (block $kDone (loop $ks (br_if $kDone (i32.ge_s (local.get $k) (local.get $hi)))
                  (f32.store (i32.add (local.get $at) (i32.shl (local.get $k) (i32.const 2)))
                    (f32.load (local.get $from)))
                  (local.set $from (i32.add (local.get $from) (local.get $step)))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $ks)))))))
        (local.set $q (i32.add (local.get $q) (local.get $run)))
        (local.set $p (i32.add (local.get $p) (local.get $run)))
        (br $qs)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rs)))
  )

  ;; Products with a short side (fewer than 8: a Dense layer into few classes, and its gradients),
  ;; where the gemm's 8-column panels would mostly hold padding. Counts in elements; every row of
  ;; every operand contiguous. Sums in float32 in order of k, four lanes apart (as the gemm's).

  ;; out[i, j] = bias[j] + Σ_k a[i, k]·bt[j, k] (then max(·, 0) when relu) for i < M, j < n: a [M×K]
  ;; times b given as its transpose bt [n×K]. bias 0: none. Each row of a is read once per j from the
  ;; L1 cache, four accumulators along k.
  (func (export "narrowDot") (param $a i32) (param $bt i32) (param $bias i32) (param $out i32)
    (param $M i32) (param $K i32) (param $n i32) (param $relu i32)
    (local $i i32) (local $j i32) (local $rowB i32) (local $pa i32) (local $pb i32) (local $end i32)
    (local $stop i32) (local $o i32) (local $s f32)
    (local $A0 v128) (local $A1 v128) (local $A2 v128) (local $A3 v128)
    (local.set $rowB (i32.shl (local.get $K) (i32.const 2)))
    (local.set $o (local.get $out))
    (block $iDone (loop $is (br_if $iDone (i32.ge_u (local.get $i) (local.get $M)))
      (local.set $j (i32.const 0))
      (block $jDone (loop $js (br_if $jDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowB))))
        (local.set $pb (i32.add (local.get $bt) (i32.mul (local.get $j) (local.get $rowB))))
        (local.set $end (i32.add (local.get $pa) (local.get $rowB)))
        (local.set $stop (i32.add (local.get $pa) (i32.and (local.get $rowB) (i32.const -64))))
        (local.set $A0 (v128.const f32x4 0 0 0 0))
        (local.set $A1 (v128.const f32x4 0 0 0 0))
        (local.set $A2 (v128.const f32x4 0 0 0 0))
        (local.set $A3 (v128.const f32x4 0 0 0 0))
        (block $vDone (loop $vs (br_if $vDone (i32.ge_u (local.get $pa) (local.get $stop)))
          (local.set $A0 (f32x4.add (local.get $A0)
            (f32x4.mul (v128.load (local.get $pa)) (v128.load (local.get $pb)))))
          (local.set $A1 (f32x4.add (local.get $A1)
            (f32x4.mul (v128.load offset=16 (local.get $pa)) (v128.load offset=16 (local.get $pb)))))
          (local.set $A2 (f32x4.add (local.get $A2)
            (f32x4.mul (v128.load offset=32 (local.get $pa)) (v128.load offset=32 (local.get $pb)))))
          (local.set $A3 (f32x4.add (local.get $A3)
            (f32x4.mul (v128.load offset=48 (local.get $pa)) (v128.load offset=48 (local.get $pb)))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 64)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
          (br $vs)))
        (local.set $A0 (f32x4.add (f32x4.add (local.get $A0) (local.get $A1))
          (f32x4.add (local.get $A2) (local.get $A3))))
        (local.set $s (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $A0)) (f32x4.extract_lane 1 (local.get $A0)))
          (f32.add (f32x4.extract_lane 2 (local.get $A0)) (f32x4.extract_lane 3 (local.get $A0)))))
        (block $tDone (loop $ts (br_if $tDone (i32.ge_u (local.get $pa) (local.get $end)))
          (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
          (br $ts)))
        (if (local.get $bias)
          (then (local.set $s (f32.add (local.get $s)
            (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))))
        (if (local.get $relu) (then (local.set $s (f32.max (local.get $s) (f32.const 0)))))
        (f32.store (local.get $o) (local.get $s))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $js)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $is)))
  )

  ;; out[i, :] = bias + Σ_j s[i, j]·r[j, :] (then max(·, 0) when relu) for i < M: s [M×n] times r
  ;; [n×L], n short (the input gradient of a Dense layer into few classes). bias 0: none. Row by row
  ;; of out, which stays in the L1 cache while each j adds its multiple of r's row.
  (func (export "narrowCombine") (param $s i32) (param $r i32) (param $bias i32) (param $out i32)
    (param $M i32) (param $n i32) (param $L i32) (param $relu i32)
    (local $i i32) (local $j i32) (local $c i32) (local $rowB i32) (local $vec i32) (local $pr i32)
    (local $o i32) (local $S v128) (local $f f32)
    (local.set $rowB (i32.shl (local.get $L) (i32.const 2)))
    (local.set $vec (i32.and (local.get $rowB) (i32.const -16)))
    (local.set $o (local.get $out))
    (block $iDone (loop $is (br_if $iDone (i32.ge_u (local.get $i) (local.get $M)))
      ;; The row starts from the bias, or zero.
      (if (local.get $bias)
        (then (memory.copy (local.get $o) (local.get $bias) (local.get $rowB)))
        (else (memory.fill (local.get $o) (i32.const 0) (local.get $rowB))))
      (local.set $pr (local.get $r))
      (local.set $j (i32.const 0))
      (block $jDone (loop $js (br_if $jDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $f (f32.load
          (i32.add (local.get $s) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2)))))
        (local.set $S (f32x4.splat (local.get $f)))
        (local.set $c (i32.const 0))
        (block $cDone (loop $cs (br_if $cDone (i32.ge_u (local.get $c) (local.get $vec)))
          (v128.store (i32.add (local.get $o) (local.get $c))
            (f32x4.add (v128.load (i32.add (local.get $o) (local.get $c)))
              (f32x4.mul (local.get $S) (v128.load (i32.add (local.get $pr) (local.get $c))))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br $cs)))
        (block $tDone (loop $ts (br_if $tDone (i32.ge_u (local.get $c) (local.get $rowB)))
          (f32.store (i32.add (local.get $o) (local.get $c))
            (f32.add (f32.load (i32.add (local.get $o) (local.get $c)))
              (f32.mul (local.get $f) (f32.load (i32.add (local.get $pr) (local.get $c))))))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $ts)))
        (local.set $pr (i32.add (local.get $pr) (local.get $rowB)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $js)))
      (if (local.get $relu)
        (then
          (local.set $c (i32.const 0))
          (block $cDone (loop $cs (br_if $cDone (i32.ge_u (local.get $c) (local.get $vec)))
            (v128.store (i32.add (local.get $o) (local.get $c))
              (f32x4.max (v128.load (i32.add (local.get $o) (local.get $c))) (v128.const f32x4 0 0 0 0)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $cs)))
          (block $tDone (loop $ts (br_if $tDone (i32.ge_u (local.get $c) (local.get $rowB)))
            (f32.store (i32.add (local.get $o) (local.get $c))
              (f32.max (f32.load (i32.add (local.get $o) (local.get $c))) (f32.const 0)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $ts)))))
      (local.set $o (i32.add (local.get $o) (local.get $rowB)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $is)))
  )

  ;; out[j, :] = Σ_i d[i, j]·x[i, :] for j < n: x [M×L] and d [M×n] (a Dense layer's weight gradient
  ;; into few classes, as its transpose [n×L]), out zeroed first, then in chunks of 1,024 columns
  ;; (out's chunk stays in the L1 cache) row by row of x.
  (func (export "narrowUpdate") (param $x i32) (param $d i32) (param $out i32) (param $M i32)
    (param $n i32) (param $L i32)
    (local $i i32) (local $j i32) (local $rowB i32) (local $px i32) (local $po i32) (local $c i32)
    (local $c0 i32) (local $c1 i32) (local $vec i32) (local $D v128) (local $f f32)
    (local.set $rowB (i32.shl (local.get $L) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $n) (local.get $rowB)))
    (block $chDone (loop $chs (br_if $chDone (i32.ge_u (local.get $c0) (local.get $rowB)))
      (local.set $c1 (i32.add (local.get $c0) (i32.const 4096)))
      (if (i32.gt_u (local.get $c1) (local.get $rowB)) (then (local.set $c1 (local.get $rowB))))
      (local.set $vec
        (i32.add (local.get $c0) (i32.and (i32.sub (local.get $c1) (local.get $c0)) (i32.const -16))))
      (local.set $i (i32.const 0))
      (block $iDone (loop $is (br_if $iDone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $px (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rowB))))
        (local.set $j (i32.const 0))
        (block $jDone (loop $js (br_if $jDone (i32.ge_u (local.get $j) (local.get $n)))
          (local.set $f (f32.load
            (i32.add (local.get $d) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2)))))
          (local.set $D (f32x4.splat (local.get $f)))
          (local.set $po (i32.add (local.get $out) (i32.mul (local.get $j) (local.get $rowB))))
          (local.set $c (local.get $c0))
          (block $cDone (loop $cs (br_if $cDone (i32.ge_u (local.get $c) (local.get $vec)))
            (v128.store (i32.add (local.get $po) (local.get $c))
              (f32x4.add (v128.load (i32.add (local.get $po) (local.get $c)))
                (f32x4.mul (local.get $D) (v128.load (i32.add (local.get $px) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $cs)))
          (block $tDone (loop $ts (br_if $tDone (i32.ge_u (local.get $c) (local.get $c1)))
            (f32.store (i32.add (local.get $po) (local.get $c))
              (f32.add (f32.load (i32.add (local.get $po) (local.get $c)))
                (f32.mul (local.get $f) (f32.load (i32.add (local.get $px) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $ts)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $js)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $is)))
      (local.set $c0 (local.get $c1))
      (br $chs)))
  )
)
