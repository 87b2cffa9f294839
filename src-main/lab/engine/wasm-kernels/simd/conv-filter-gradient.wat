;; The filter gradient of a 2-D convolution (NHWC input, filter [fh, fw, ci, co]), computed directly from the input and
;; the output gradient, in 128-bit SIMD, on tfjs-backend-wasm's own heap (the memory is imported from it).
;;
;;   dw[kh][kw][c][o] += Σ over batch items b in [b0, b1), output rows oy and columns ox of
;;                       x[b][oy·sh + kh − pt][ox·sw + kw − pl][c] · dy[b][oy][ox][o]
;;
;; Why not im2col + a matrix product: a layer's filter gradient is a product with a huge inner dimension (every output
;; position of the batch) and two small outer ones (taps × out channels). XNNPACK must pack one huge operand for it,
;; after im2col has written the column matrix — on the CNN presets that was ~40 % of a training step while the
;; arithmetic is a few milliseconds. Here nothing is copied: each output row of dy (a few KiB) stays in L1 while every
;; tap that reads it is accumulated, and the running sums of 16 out channels stay in registers along the row.
;;
;; Addresses are byte offsets into the heap; dw is accumulated into (the caller zeroes it, or sums partials), so the
;; batch can be split between threads, each with its own dw. The memory line is rewritten for the single-threaded
;; build (a memory that is not shared): see conv-filter-gradient.ts.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "conv2d_filter_grad")
    (param $x i32) (param $dy i32) (param $dw i32)
    (param $inH i32) (param $inW i32) (param $ci i32)
    (param $outH i32) (param $outW i32) (param $co i32)
    (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $oy i32) (local $kh i32) (local $kw i32) (local $c i32) (local $iy i32)
    (local $lo i32) (local $hi i32) (local $ox i32) (local $cb i32) (local $t i32)
    (local $xstart i32) (local $dyrow i32) (local $wp i32) (local $xp i32) (local $dp i32)
    (local $xstep i32) (local $dstep i32) (local $co16 i32) (local $co4 i32)
    (local $xv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $s f32)
    (local.set $xstep (i32.shl (i32.mul (local.get $sw) (local.get $ci)) (i32.const 2)))
    (local.set $dstep (i32.shl (local.get $co) (i32.const 2)))
    (local.set $co16 (i32.and (local.get $co) (i32.const -16)))
    (local.set $co4 (i32.and (local.get $co) (i32.const -4)))
    (local.set $b (local.get $b0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $b1)))
      (local.set $oy (i32.const 0))
      (block $oyDone (loop $oyLoop
        (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $outH)))
        ;; dy's row (b, oy): outW positions of co floats
        (local.set $dyrow (i32.add (local.get $dy) (i32.shl
          (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $oy)) (local.get $outW)) (local.get $co))
          (i32.const 2))))
        (local.set $kh (i32.const 0))
        (block $khDone (loop $khLoop
          (br_if $khDone (i32.ge_s (local.get $kh) (local.get $fh)))
          (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $kh)) (local.get $pt)))
          ;; rows of padding contribute nothing
          (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $inH))) (then
            (local.set $kw (i32.const 0))
            (block $kwDone (loop $kwLoop
              (br_if $kwDone (i32.ge_s (local.get $kw) (local.get $fw)))
              ;; ox in [lo, hi) reads a real column: 0 <= ox·sw + kw − pl < inW
              (local.set $lo (i32.sub (local.get $pl) (local.get $kw)))
              (local.set $lo (select (i32.const 0)
                (i32.div_s (i32.sub (i32.add (local.get $lo) (local.get $sw)) (i32.const 1)) (local.get $sw))
                (i32.le_s (local.get $lo) (i32.const 0))))
              (local.set $hi (i32.sub (i32.add (local.get $inW) (local.get $pl)) (local.get $kw)))
              (local.set $hi (select (i32.const 0)
                (i32.div_s (i32.sub (i32.add (local.get $hi) (local.get $sw)) (i32.const 1)) (local.get $sw))
                (i32.le_s (local.get $hi) (i32.const 0))))
              (if (i32.gt_s (local.get $hi) (local.get $outW)) (then (local.set $hi (local.get $outW))))
              (if (i32.lt_s (local.get $lo) (local.get $hi)) (then
                (local.set $c (i32.const 0))
                (block $cDone (loop $cLoop
                  (br_if $cDone (i32.ge_s (local.get $c) (local.get $ci)))
                  (local.set $t (i32.add (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $fw)) (local.get $kw)) (local.get $ci)) (local.get $c)))
                  ;; x[b][iy][lo·sw + kw − pl][c]
                  (local.set $xstart (i32.add (local.get $x) (i32.shl
                    (i32.add (i32.mul
                      (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW))
                        (i32.sub (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $kw)) (local.get $pl)))
                      (local.get $ci)) (local.get $c))
                    (i32.const 2))))
                  (local.set $cb (i32.const 0))
                  ;; 16 out channels at a time: four running sums in registers along the row
                  (block $c16Done (loop $c16Loop
                    (br_if $c16Done (i32.ge_s (local.get $cb) (local.get $co16)))
                    (local.set $wp (i32.add (local.get $dw) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $co)) (local.get $cb)) (i32.const 2))))
                    (local.set $a0 (v128.load offset=0 (local.get $wp)))
                    (local.set $a1 (v128.load offset=16 (local.get $wp)))
                    (local.set $a2 (v128.load offset=32 (local.get $wp)))
                    (local.set $a3 (v128.load offset=48 (local.get $wp)))
                    (local.set $xp (local.get $xstart))
                    (local.set $dp (i32.add (local.get $dyrow) (i32.shl (i32.add (i32.mul (local.get $lo) (local.get $co)) (local.get $cb)) (i32.const 2))))
                    (local.set $ox (local.get $lo))
                    (loop $ox16
                      (local.set $xv (v128.load32_splat (local.get $xp)))
                      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xv) (v128.load offset=0 (local.get $dp)))))
                      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xv) (v128.load offset=16 (local.get $dp)))))
                      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $xv) (v128.load offset=32 (local.get $dp)))))
                      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $xv) (v128.load offset=48 (local.get $dp)))))
                      (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
                      (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
                      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                      (br_if $ox16 (i32.lt_s (local.get $ox) (local.get $hi))))
                    (v128.store offset=0 (local.get $wp) (local.get $a0))
                    (v128.store offset=16 (local.get $wp) (local.get $a1))
                    (v128.store offset=32 (local.get $wp) (local.get $a2))
                    (v128.store offset=48 (local.get $wp) (local.get $a3))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                    (br $c16Loop)))
                  ;; then 4 at a time
                  (block $c4Done (loop $c4Loop
                    (br_if $c4Done (i32.ge_s (local.get $cb) (local.get $co4)))
                    (local.set $wp (i32.add (local.get $dw) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $co)) (local.get $cb)) (i32.const 2))))
                    (local.set $a0 (v128.load (local.get $wp)))
                    (local.set $xp (local.get $xstart))
                    (local.set $dp (i32.add (local.get $dyrow) (i32.shl (i32.add (i32.mul (local.get $lo) (local.get $co)) (local.get $cb)) (i32.const 2))))
                    (local.set $ox (local.get $lo))
                    (loop $ox4
                      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $xp)) (v128.load (local.get $dp)))))
                      (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
                      (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
                      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                      (br_if $ox4 (i32.lt_s (local.get $ox) (local.get $hi))))
                    (v128.store (local.get $wp) (local.get $a0))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 4)))
                    (br $c4Loop)))
                  ;; then the last 0–3 one at a time
                  (block $c1Done (loop $c1Loop
                    (br_if $c1Done (i32.ge_s (local.get $cb) (local.get $co)))
                    (local.set $wp (i32.add (local.get $dw) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $co)) (local.get $cb)) (i32.const 2))))
                    (local.set $s (f32.load (local.get $wp)))
                    (local.set $xp (local.get $xstart))
                    (local.set $dp (i32.add (local.get $dyrow) (i32.shl (i32.add (i32.mul (local.get $lo) (local.get $co)) (local.get $cb)) (i32.const 2))))
                    (local.set $ox (local.get $lo))
                    (loop $ox1
                      (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $xp)) (f32.load (local.get $dp)))))
                      (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
                      (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
                      (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                      (br_if $ox1 (i32.lt_s (local.get $ox) (local.get $hi))))
                    (f32.store (local.get $wp) (local.get $s))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 1)))
                    (br $c1Loop)))
                  (local.set $c (i32.add (local.get $c) (i32.const 1)))
                  (br $cLoop)))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kwLoop)))))
          (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
          (br $khLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop)))))
