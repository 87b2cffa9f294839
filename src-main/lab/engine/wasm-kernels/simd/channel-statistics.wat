;; The two passes batch normalization is made of, over a [rows, width] float32 matrix whose columns are channels
;; (channels-last activations seen as rows of one pixel each), for rows [r0, r1), in 128-bit SIMD on
;; tfjs-backend-wasm's own heap (the memory is imported). See batch-norm.ts.
;;
;;   sum_products:   sumU[c] += Σ u[r][c]   and   sumUV[c] += Σ u[r][c]·v[r][c]     (float64 sums, added to)
;;   channel_affine: out[r][c] = a[c]·u[r][c] + b[c]·v[r][c] + k[c]                 (v = 0: no b·v term)
;;                   · step(v[r][c]) when $relu ≠ 0 (relu's derivative at v: 1 where v > 0, 0 where v ≤ 0, NaN where v
;;                   is NaN, the activation kernel's rule)
;;
;; Forward, the batch's moments are sum_products(x, x) and the normalized output one channel_affine of x; backward,
;; Σdy and Σdy·x are sum_products(dy, x) and dx one channel_affine of dy and x — four memory-bound passes in place of
;; a dozen broadcast ops. Backward through a relu conv layer's batch norm, the last pass also applies relu's mask
;; (v = x is the relu's output): one more full-size pass saved. (Summing the conv's bias gradient in that pass too
;; was measured slower than the separate row-blocked Sum: a float64 read-modify-write per channel group per row.)
;; Addresses are byte offsets; sums are float64 arrays of width, coefficients float32 arrays.
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "sum_products") (param $u i32) (param $v i32) (param $sumU i32) (param $sumUV i32) (param $width i32) (param $r0 i32) (param $r1 i32)
    (local $r i32) (local $c i32) (local $w4 i32) (local $off i32) (local $q i32)
    (local $a v128) (local $b v128) (local $aLo v128) (local $aHi v128) (local $bLo v128) (local $bHi v128) (local $x f64)
    (local.set $w4 (i32.and (local.get $width) (i32.const -4)))
    (local.set $r (local.get $r0))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_s (local.get $r) (local.get $r1)))
      (local.set $c (i32.const 0))
      (block $c4Done (loop $c4Loop
        (br_if $c4Done (i32.ge_s (local.get $c) (local.get $w4)))
        (local.set $off (i32.shl (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $c)) (i32.const 2)))
        (local.set $a (v128.load (i32.add (local.get $u) (local.get $off))))
        (local.set $b (v128.load (i32.add (local.get $v) (local.get $off))))
        (local.set $aLo (f64x2.promote_low_f32x4 (local.get $a)))
        (local.set $aHi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))))
        (local.set $bLo (f64x2.promote_low_f32x4 (local.get $b)))
        (local.set $bHi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b))))
        (local.set $q (i32.add (local.get $sumU) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store offset=0 (local.get $q) (f64x2.add (v128.load offset=0 (local.get $q)) (local.get $aLo)))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (local.get $aHi)))
        (local.set $q (i32.add (local.get $sumUV) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store offset=0 (local.get $q) (f64x2.add (v128.load offset=0 (local.get $q)) (f64x2.mul (local.get $aLo) (local.get $bLo))))
        (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.mul (local.get $aHi) (local.get $bHi))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4Loop)))
      (block $c1Done (loop $c1Loop
        (br_if $c1Done (i32.ge_s (local.get $c) (local.get $width)))
        (local.set $off (i32.shl (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $c)) (i32.const 2)))
        (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $u) (local.get $off)))))
        (local.set $q (i32.add (local.get $sumU) (i32.shl (local.get $c) (i32.const 3))))
        (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (local.get $x)))
        (local.set $q (i32.add (local.get $sumUV) (i32.shl (local.get $c) (i32.const 3))))
        (f64.store (local.get $q) (f64.add (f64.load (local.get $q))
          (f64.mul (local.get $x) (f64.promote_f32 (f32.load (i32.add (local.get $v) (local.get $off)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1Loop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop))))

  (func (export "channel_affine") (param $u i32) (param $v i32) (param $out i32) (param $a i32) (param $b i32) (param $k i32) (param $width i32) (param $r0 i32) (param $r1 i32)
    (param $relu i32)
    (local $r i32) (local $c i32) (local $w4 i32) (local $off i32) (local $cc i32) (local $y v128) (local $s f32) (local $h v128) (local $hs f32)
    (local.set $w4 (i32.and (local.get $width) (i32.const -4)))
    (local.set $r (local.get $r0))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_s (local.get $r) (local.get $r1)))
      (local.set $c (i32.const 0))
      (block $c4Done (loop $c4Loop
        (br_if $c4Done (i32.ge_s (local.get $c) (local.get $w4)))
        (local.set $off (i32.shl (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $c)) (i32.const 2)))
        (local.set $cc (i32.shl (local.get $c) (i32.const 2)))
        (local.set $y (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $cc))) (v128.load (i32.add (local.get $u) (local.get $off))))
          (v128.load (i32.add (local.get $k) (local.get $cc)))))
        (if (local.get $v) (then
          (local.set $y (f32x4.add (local.get $y)
            (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $cc))) (v128.load (i32.add (local.get $v) (local.get $off))))))))
        (if (local.get $relu) (then
          (local.set $h (v128.load (i32.add (local.get $v) (local.get $off))))
          (local.set $y (f32x4.mul (local.get $y) (v128.bitselect (local.get $h)
            (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0) (f32x4.gt (local.get $h) (v128.const f32x4 0 0 0 0)))
            (f32x4.ne (local.get $h) (local.get $h)))))))
        (v128.store (i32.add (local.get $out) (local.get $off)) (local.get $y))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $c4Loop)))
      (block $c1Done (loop $c1Loop
        (br_if $c1Done (i32.ge_s (local.get $c) (local.get $width)))
        (local.set $off (i32.shl (i32.add (i32.mul (local.get $r) (local.get $width)) (local.get $c)) (i32.const 2)))
        (local.set $cc (i32.shl (local.get $c) (i32.const 2)))
        (local.set $s (f32.add (f32.mul (f32.load (i32.add (local.get $a) (local.get $cc))) (f32.load (i32.add (local.get $u) (local.get $off))))
          (f32.load (i32.add (local.get $k) (local.get $cc)))))
        (if (local.get $v) (then
          (local.set $s (f32.add (local.get $s)
            (f32.mul (f32.load (i32.add (local.get $b) (local.get $cc))) (f32.load (i32.add (local.get $v) (local.get $off))))))))
        (if (local.get $relu) (then
          (local.set $hs (f32.load (i32.add (local.get $v) (local.get $off))))
          (local.set $s (f32.mul (local.get $s)
            (select (local.get $hs) (select (f32.const 1) (f32.const 0) (f32.gt (local.get $hs) (f32.const 0))) (f32.ne (local.get $hs) (local.get $hs)))))))
        (f32.store (i32.add (local.get $out) (local.get $off)) (local.get $s))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c1Loop)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop))))
  )
