;; The gradient of a 2×2 max pool whose windows do not overlap and are all whole (strides ≥ 2, no padding inside a
;; window), NHWC, for batch items [b0, b1), in 128-bit SIMD on tfjs-backend-wasm's own heap (the memory is imported).
;; The rule is the cpu backend's: each output's gradient goes to the first maximum of its window (row-major); −∞ and
;; NaN never win. y (the pooled output) is the window's maximum, so the first input equal to y receives dy:
;;
;;   e0 = (x0 == y); dx0 = e0 & g; g = g & ~e0; e1 = (x1 == y); dx1 = e1 & g; g = g & ~e1; … dx3 = (x3 == y) & g
;;
;; four channels at a time, branch-free, every pixel of the window written once. A group of four channels holding a
;; non-finite y or dy (where "equal to the maximum" and "0 × g" stop meaning the rule) and the last ch mod 4 channels
;; take the rule written out, one channel at a time. Pixels in no window must be zeroed by the caller.
;;
;; Two fusions for a relu conv layer below the pool (conv-net-step.ts), each optional:
;;   $relu ≠ 0: dy is first multiplied by relu's derivative at y, dy·step(y) (1 where y > 0, 0 where y ≤ 0, NaN where y
;;              is NaN: the activation kernel's rule, bit for bit) — relu(z) and the max commute, so y > 0 is where
;;              the window's maximum passed the relu;
;;   $sums ≠ 0: the gradient routed to each channel is added to a float64 accumulator per channel at $sums (the conv's
;;              bias gradient Σdx over batch, height and width, with no second pass over dx). Of a window's four
;;              written pixels at most one is not zero, so their bitwise or is the routed value exactly.
;; Addresses are byte offsets into the heap. See max-pool-grad.ts.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; One channel's window by the rule written out: the four pixels at p0..p3 get 0, the first maximum gets g.
  (func $window_by_rule (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $x i32) (param $dx i32) (param $g f32)
    (local $best f32) (local $at i32) (local $v f32)
    (local.set $best (f32.neg (f32.const inf)))
    (local.set $at (i32.const -1))
    (local.set $v (f32.load (i32.add (local.get $x) (local.get $p0))))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (local.get $p0))))
    (local.set $v (f32.load (i32.add (local.get $x) (local.get $p1))))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (local.get $p1))))
    (local.set $v (f32.load (i32.add (local.get $x) (local.get $p2))))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (local.get $p2))))
    (local.set $v (f32.load (i32.add (local.get $x) (local.get $p3))))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (local.get $p3))))
    (f32.store (i32.add (local.get $dx) (local.get $p0)) (f32.const 0))
    (f32.store (i32.add (local.get $dx) (local.get $p1)) (f32.const 0))
    (f32.store (i32.add (local.get $dx) (local.get $p2)) (f32.const 0))
    (f32.store (i32.add (local.get $dx) (local.get $p3)) (f32.const 0))
    (if (i32.ge_s (local.get $at) (i32.const 0)) (then (f32.store (i32.add (local.get $dx) (local.get $at)) (local.get $g)))))

  (func (export "max_pool_grad_2x2")
    (param $x i32) (param $y i32) (param $dy i32) (param $dx i32)
    (param $inH i32) (param $inW i32) (param $ch i32) (param $outH i32) (param $outW i32) (param $sh i32) (param $sw i32)
    (param $b0 i32) (param $b1 i32) (param $relu i32) (param $sums i32)
    (local $b i32) (local $r i32) (local $c i32) (local $d i32) (local $ch4 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $o i32) (local $colStep i32) (local $rowStep i32)
    (local $m v128) (local $g v128) (local $e v128) (local $zero v128) (local $t v128) (local $s i32) (local $gs f32) (local $ms f32)
    (local.set $ch4 (i32.and (local.get $ch) (i32.const -4)))
    (local.set $colStep (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $rowStep (i32.shl (i32.mul (local.get $inW) (local.get $ch)) (i32.const 2)))
    (local.set $zero (v128.const f32x4 0 0 0 0))
    (local.set $b (local.get $b0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $b1)))
      (local.set $r (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_s (local.get $r) (local.get $outH)))
        (local.set $c (i32.const 0))
        (block $cDone (loop $cLoop
          (br_if $cDone (i32.ge_s (local.get $c) (local.get $outW)))
          ;; byte offsets (from x's and dx's start) of the window's four pixels, channel 0; and of y's / dy's pixel
          (local.set $p0 (i32.shl (i32.mul
            (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (i32.mul (local.get $r) (local.get $sh))) (local.get $inW))
              (i32.mul (local.get $c) (local.get $sw)))
            (local.get $ch)) (i32.const 2)))
          (local.set $p1 (i32.add (local.get $p0) (local.get $colStep)))
          (local.set $p2 (i32.add (local.get $p0) (local.get $rowStep)))
          (local.set $p3 (i32.add (local.get $p2) (local.get $colStep)))
          (local.set $o (i32.shl (i32.mul
            (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $r)) (local.get $outW)) (local.get $c))
            (local.get $ch)) (i32.const 2)))
          (local.set $d (i32.const 0))
          (block $d4Done (loop $d4Loop
            (br_if $d4Done (i32.ge_s (local.get $d) (local.get $ch4)))
            (local.set $m (v128.load (i32.add (local.get $y) (local.get $o))))
            (local.set $g (v128.load (i32.add (local.get $dy) (local.get $o))))
            (if (local.get $relu) (then
              (local.set $e (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $zero) (f32x4.gt (local.get $m) (local.get $zero))))
              (local.set $g (f32x4.mul (local.get $g)
                (v128.bitselect (local.get $m) (local.get $e) (f32x4.ne (local.get $m) (local.get $m)))))))
            (if (i32x4.all_true (v128.and
                  (f32x4.eq (f32x4.sub (local.get $g) (local.get $g)) (local.get $zero))
                  (f32x4.eq (f32x4.sub (local.get $m) (local.get $m)) (local.get $zero))))
              (then
                (local.set $e (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $p0))) (local.get $m)))
                (local.set $t (v128.and (local.get $e) (local.get $g)))
                (v128.store (i32.add (local.get $dx) (local.get $p0)) (local.get $t))
                (local.set $g (v128.andnot (local.get $g) (local.get $e)))
                (local.set $e (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $p1))) (local.get $m)))
                (v128.store (i32.add (local.get $dx) (local.get $p1)) (v128.and (local.get $e) (local.get $g)))
                (local.set $t (v128.or (local.get $t) (v128.and (local.get $e) (local.get $g))))
                (local.set $g (v128.andnot (local.get $g) (local.get $e)))
                (local.set $e (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $p2))) (local.get $m)))
                (v128.store (i32.add (local.get $dx) (local.get $p2)) (v128.and (local.get $e) (local.get $g)))
                (local.set $t (v128.or (local.get $t) (v128.and (local.get $e) (local.get $g))))
                (local.set $g (v128.andnot (local.get $g) (local.get $e)))
                (local.set $e (v128.and (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $p3))) (local.get $m)) (local.get $g)))
                (v128.store (i32.add (local.get $dx) (local.get $p3)) (local.get $e))
                (local.set $t (v128.or (local.get $t) (local.get $e))))
              (else
                (call $window_by_rule (local.get $p0) (local.get $p1) (local.get $p2) (local.get $p3) (local.get $x) (local.get $dx)
                  (f32x4.extract_lane 0 (local.get $g)))
                (call $window_by_rule (i32.add (local.get $p0) (i32.const 4)) (i32.add (local.get $p1) (i32.const 4))
                  (i32.add (local.get $p2) (i32.const 4)) (i32.add (local.get $p3) (i32.const 4)) (local.get $x) (local.get $dx)
                  (f32x4.extract_lane 1 (local.get $g)))
                (call $window_by_rule (i32.add (local.get $p0) (i32.const 8)) (i32.add (local.get $p1) (i32.const 8))
                  (i32.add (local.get $p2) (i32.const 8)) (i32.add (local.get $p3) (i32.const 8)) (local.get $x) (local.get $dx)
                  (f32x4.extract_lane 2 (local.get $g)))
                (call $window_by_rule (i32.add (local.get $p0) (i32.const 12)) (i32.add (local.get $p1) (i32.const 12))
                  (i32.add (local.get $p2) (i32.const 12)) (i32.add (local.get $p3) (i32.const 12)) (local.get $x) (local.get $dx)
                  (f32x4.extract_lane 3 (local.get $g)))
                (local.set $t (v128.or
                  (v128.or (v128.load (i32.add (local.get $dx) (local.get $p0))) (v128.load (i32.add (local.get $dx) (local.get $p1))))
                  (v128.or (v128.load (i32.add (local.get $dx) (local.get $p2))) (v128.load (i32.add (local.get $dx) (local.get $p3))))))))
            (if (local.get $sums) (then
              ;; the channel group's float64 accumulators: channels d, d+1 at $s, d+2, d+3 at $s + 16
              (local.set $s (i32.add (local.get $sums) (i32.shl (local.get $d) (i32.const 3))))
              (v128.store (local.get $s) (f64x2.add (v128.load (local.get $s)) (f64x2.promote_low_f32x4 (local.get $t))))
              (v128.store offset=16 (local.get $s) (f64x2.add (v128.load offset=16 (local.get $s))
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))))))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
            (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
            (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
            (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $d4Loop)))
          (block $d1Done (loop $d1Loop
            (br_if $d1Done (i32.ge_s (local.get $d) (local.get $ch)))
            (local.set $gs (f32.load (i32.add (local.get $dy) (local.get $o))))
            (if (local.get $relu) (then
              (local.set $ms (f32.load (i32.add (local.get $y) (local.get $o))))
              (local.set $gs (f32.mul (local.get $gs)
                (select (local.get $ms) (select (f32.const 1) (f32.const 0) (f32.gt (local.get $ms) (f32.const 0))) (f32.ne (local.get $ms) (local.get $ms)))))))
            (call $window_by_rule (local.get $p0) (local.get $p1) (local.get $p2) (local.get $p3) (local.get $x) (local.get $dx) (local.get $gs))
            (if (local.get $sums) (then
              (local.set $s (i32.add (local.get $sums) (i32.shl (local.get $d) (i32.const 3))))
              (f64.store (local.get $s) (f64.add (f64.load (local.get $s)) (f64.promote_f32
                (f32.reinterpret_i32 (i32.or
                  (i32.or (i32.load (i32.add (local.get $dx) (local.get $p0))) (i32.load (i32.add (local.get $dx) (local.get $p1))))
                  (i32.or (i32.load (i32.add (local.get $dx) (local.get $p2))) (i32.load (i32.add (local.get $dx) (local.get $p3)))))))))))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
            (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
            (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
            (local.set $p3 (i32.add (local.get $p3) (i32.const 4)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $d1Loop)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop)))))
