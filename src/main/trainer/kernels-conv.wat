;; Netwright's convolution and pooling kernels (MaxPool's gradient, a convolution's patches for
;; its filter gradient): functions of kernels.wat's module, which scripts/wasm-kernels.mjs assembles
;; them into. Addresses and lengths in bytes unless said.

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
