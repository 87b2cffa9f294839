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
;; tap that reads it is accumulated, and the running sums of 16 out channels stay in registers along the row — of two
;; input channels at once where there are two: eight independent sums hide the latency of the adds (four alone wait
;; on it) and the two share their loads of dy.
;;
;; Addresses are byte offsets into the heap; dw is accumulated into (the caller zeroes it, or sums partials), so the
;; batch can be split between threads, each with its own dw. The memory line is rewritten for the single-threaded
;; build (a memory that is not shared): see conv-filter-gradient.ts.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; dw[16 out channels at $wp] += Σ over n steps of x[$xp] · dy[16 at $dp]; x steps by $xstep bytes, dy by $dstep.
  (func $acc16x1 (param $wp i32) (param $xp i32) (param $dp i32) (param $n i32) (param $xstep i32) (param $dstep i32)
    (local $xv v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $a0 (v128.load offset=0 (local.get $wp)))
    (local.set $a1 (v128.load offset=16 (local.get $wp)))
    (local.set $a2 (v128.load offset=32 (local.get $wp)))
    (local.set $a3 (v128.load offset=48 (local.get $wp)))
    (loop $step
      (local.set $xv (v128.load32_splat (local.get $xp)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xv) (v128.load offset=0 (local.get $dp)))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xv) (v128.load offset=16 (local.get $dp)))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $xv) (v128.load offset=32 (local.get $dp)))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $xv) (v128.load offset=48 (local.get $dp)))))
      (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
      (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $step (i32.gt_s (local.get $n) (i32.const 0))))
    (v128.store offset=0 (local.get $wp) (local.get $a0))
    (v128.store offset=16 (local.get $wp) (local.get $a1))
    (v128.store offset=32 (local.get $wp) (local.get $a2))
    (v128.store offset=48 (local.get $wp) (local.get $a3)))

  ;; The same for two input channels at once: x[$xp] into dw at $wp and x[$xp + 4] into dw at $wp + $wrow.
  (func $acc16x2 (param $wp i32) (param $wrow i32) (param $xp i32) (param $dp i32) (param $n i32) (param $xstep i32) (param $dstep i32)
    (local $x0 v128) (local $x1 v128) (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $wq i32)
    (local.set $wq (i32.add (local.get $wp) (local.get $wrow)))
    (local.set $a0 (v128.load offset=0 (local.get $wp)))
    (local.set $a1 (v128.load offset=16 (local.get $wp)))
    (local.set $a2 (v128.load offset=32 (local.get $wp)))
    (local.set $a3 (v128.load offset=48 (local.get $wp)))
    (local.set $b0 (v128.load offset=0 (local.get $wq)))
    (local.set $b1 (v128.load offset=16 (local.get $wq)))
    (local.set $b2 (v128.load offset=32 (local.get $wq)))
    (local.set $b3 (v128.load offset=48 (local.get $wq)))
    (loop $step
      (local.set $x0 (v128.load32_splat (local.get $xp)))
      (local.set $x1 (v128.load32_splat offset=4 (local.get $xp)))
      (local.set $d0 (v128.load offset=0 (local.get $dp)))
      (local.set $d1 (v128.load offset=16 (local.get $dp)))
      (local.set $d2 (v128.load offset=32 (local.get $dp)))
      (local.set $d3 (v128.load offset=48 (local.get $dp)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x0) (local.get $d0))))
      (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $x1) (local.get $d0))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x0) (local.get $d1))))
      (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $x1) (local.get $d1))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x0) (local.get $d2))))
      (local.set $b2 (f32x4.add (local.get $b2) (f32x4.mul (local.get $x1) (local.get $d2))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x0) (local.get $d3))))
      (local.set $b3 (f32x4.add (local.get $b3) (f32x4.mul (local.get $x1) (local.get $d3))))
      (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
      (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $step (i32.gt_s (local.get $n) (i32.const 0))))
    (v128.store offset=0 (local.get $wp) (local.get $a0))
    (v128.store offset=16 (local.get $wp) (local.get $a1))
    (v128.store offset=32 (local.get $wp) (local.get $a2))
    (v128.store offset=48 (local.get $wp) (local.get $a3))
    (v128.store offset=0 (local.get $wq) (local.get $b0))
    (v128.store offset=16 (local.get $wq) (local.get $b1))
    (v128.store offset=32 (local.get $wq) (local.get $b2))
    (v128.store offset=48 (local.get $wq) (local.get $b3)))

  ;; One input channel, out channels [cb, co) at dw row $wrowp: 4 at a time, then the last 0–3 one at a time.
  (func $tail (param $wrowp i32) (param $cb i32) (param $co i32) (param $xp0 i32) (param $dp0 i32) (param $n0 i32) (param $xstep i32) (param $dstep i32)
    (local $wp i32) (local $xp i32) (local $dp i32) (local $n i32) (local $a v128) (local $s f32) (local $co4 i32)
    (local.set $co4 (i32.and (local.get $co) (i32.const -4)))
    (block $c4Done (loop $c4Loop
      (br_if $c4Done (i32.ge_s (local.get $cb) (local.get $co4)))
      (local.set $wp (i32.add (local.get $wrowp) (i32.shl (local.get $cb) (i32.const 2))))
      (local.set $a (v128.load (local.get $wp)))
      (local.set $xp (local.get $xp0))
      (local.set $dp (i32.add (local.get $dp0) (i32.shl (local.get $cb) (i32.const 2))))
      (local.set $n (local.get $n0))
      (loop $step
        (local.set $a (f32x4.add (local.get $a) (f32x4.mul (v128.load32_splat (local.get $xp)) (v128.load (local.get $dp)))))
        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
        (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $step (i32.gt_s (local.get $n) (i32.const 0))))
      (v128.store (local.get $wp) (local.get $a))
      (local.set $cb (i32.add (local.get $cb) (i32.const 4)))
      (br $c4Loop)))
    (block $c1Done (loop $c1Loop
      (br_if $c1Done (i32.ge_s (local.get $cb) (local.get $co)))
      (local.set $wp (i32.add (local.get $wrowp) (i32.shl (local.get $cb) (i32.const 2))))
      (local.set $s (f32.load (local.get $wp)))
      (local.set $xp (local.get $xp0))
      (local.set $dp (i32.add (local.get $dp0) (i32.shl (local.get $cb) (i32.const 2))))
      (local.set $n (local.get $n0))
      (loop $step
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $xp)) (f32.load (local.get $dp)))))
        (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
        (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $step (i32.gt_s (local.get $n) (i32.const 0))))
      (f32.store (local.get $wp) (local.get $s))
      (local.set $cb (i32.add (local.get $cb) (i32.const 1)))
      (br $c1Loop))))

  (func (export "conv2d_filter_grad")
    (param $x i32) (param $dy i32) (param $dw i32)
    (param $inH i32) (param $inW i32) (param $ci i32)
    (param $outH i32) (param $outW i32) (param $co i32)
    (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $oy i32) (local $kh i32) (local $kw i32) (local $c i32) (local $iy i32)
    (local $lo i32) (local $hi i32) (local $n i32) (local $cb i32)
    (local $xstart i32) (local $dyrow i32) (local $dstart i32) (local $wrowp i32)
    (local $xstep i32) (local $dstep i32) (local $wrow i32) (local $co16 i32)
    (local.set $xstep (i32.shl (i32.mul (local.get $sw) (local.get $ci)) (i32.const 2)))
    (local.set $dstep (i32.shl (local.get $co) (i32.const 2)))
    (local.set $wrow (local.get $dstep))
    (local.set $co16 (i32.and (local.get $co) (i32.const -16)))
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
              (local.set $n (i32.sub (local.get $hi) (local.get $lo)))
              (if (i32.gt_s (local.get $n) (i32.const 0)) (then
                ;; x[b][iy][lo·sw + kw − pl][0], dy[b][oy][lo][0], dw[kh][kw][0][0]
                (local.set $xstart (i32.add (local.get $x) (i32.shl
                  (i32.mul
                    (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW))
                      (i32.sub (i32.add (i32.mul (local.get $lo) (local.get $sw)) (local.get $kw)) (local.get $pl)))
                    (local.get $ci))
                  (i32.const 2))))
                (local.set $dstart (i32.add (local.get $dyrow) (i32.mul (local.get $lo) (local.get $dstep))))
                (local.set $wrowp (i32.add (local.get $dw)
                  (i32.mul (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $fw)) (local.get $kw)) (local.get $ci)) (local.get $wrow))))
                (local.set $c (i32.const 0))
                ;; input channels two at a time: the 16-wide blocks of both, then each one's tail
                (block $c2Done (loop $c2Loop
                  (br_if $c2Done (i32.ge_s (i32.add (local.get $c) (i32.const 1)) (local.get $ci)))
                  (local.set $cb (i32.const 0))
                  (block $b16Done (loop $b16Loop
                    (br_if $b16Done (i32.ge_s (local.get $cb) (local.get $co16)))
                    (call $acc16x2 (i32.add (local.get $wrowp) (i32.shl (local.get $cb) (i32.const 2))) (local.get $wrow)
                      (local.get $xstart) (i32.add (local.get $dstart) (i32.shl (local.get $cb) (i32.const 2)))
                      (local.get $n) (local.get $xstep) (local.get $dstep))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                    (br $b16Loop)))
                  (call $tail (local.get $wrowp) (local.get $co16) (local.get $co) (local.get $xstart) (local.get $dstart) (local.get $n) (local.get $xstep) (local.get $dstep))
                  (call $tail (i32.add (local.get $wrowp) (local.get $wrow)) (local.get $co16) (local.get $co) (i32.add (local.get $xstart) (i32.const 4))
                    (local.get $dstart) (local.get $n) (local.get $xstep) (local.get $dstep))
                  (local.set $xstart (i32.add (local.get $xstart) (i32.const 8)))
                  (local.set $wrowp (i32.add (local.get $wrowp) (i32.shl (local.get $wrow) (i32.const 1))))
                  (local.set $c (i32.add (local.get $c) (i32.const 2)))
                  (br $c2Loop)))
                ;; the last input channel when their count is odd
                (if (i32.lt_s (local.get $c) (local.get $ci)) (then
                  (local.set $cb (i32.const 0))
                  (block $b16Done (loop $b16Loop
                    (br_if $b16Done (i32.ge_s (local.get $cb) (local.get $co16)))
                    (call $acc16x1 (i32.add (local.get $wrowp) (i32.shl (local.get $cb) (i32.const 2))) (local.get $xstart)
                      (i32.add (local.get $dstart) (i32.shl (local.get $cb) (i32.const 2))) (local.get $n) (local.get $xstep) (local.get $dstep))
                    (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
                    (br $b16Loop)))
                  (call $tail (local.get $wrowp) (local.get $co16) (local.get $co) (local.get $xstart) (local.get $dstart) (local.get $n) (local.get $xstep) (local.get $dstep))))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kwLoop)))))
          (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
          (br $khLoop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop)))))
