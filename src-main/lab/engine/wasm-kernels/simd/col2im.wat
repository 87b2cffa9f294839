;; The adjoint of im2col for a convolution's input gradient, NHWC, for batch items [b0, b1): every output position's
;; row of dcols (its taps [fh, fw, ci] in the filter's order, as dy·Wᵀ gives them) added at the input pixels it came
;; from, four channels at a time, in 128-bit SIMD on tfjs-backend-wasm's own heap (the memory is imported). dcols
;; holds the rows of these batch items only, from its start; dx is the whole input gradient, zero-filled by the
;; caller; taps in the padding are skipped. Addresses are byte offsets. See conv2d-backprop.ts.
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "col2im")
    (param $dcols i32) (param $dx i32) (param $inH i32) (param $inW i32) (param $ci i32) (param $outH i32) (param $outW i32)
    (param $fh i32) (param $fw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32) (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $yr i32) (local $yc i32) (local $kh i32) (local $kw i32) (local $xr i32) (local $xc i32)
    (local $src i32) (local $dst i32) (local $row i32) (local $d i32) (local $ci4 i32) (local $ciBytes i32) (local $rowBytes i32)
    (local.set $ci4 (i32.and (local.get $ci) (i32.const -4)))
    (local.set $ciBytes (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $rowBytes (i32.mul (i32.mul (local.get $fh) (local.get $fw)) (local.get $ciBytes)))
    (local.set $row (local.get $dcols))
    (local.set $b (local.get $b0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $b1)))
      (local.set $yr (i32.const 0))
      (block $yrDone (loop $yrLoop
        (br_if $yrDone (i32.ge_s (local.get $yr) (local.get $outH)))
        (local.set $yc (i32.const 0))
        (block $ycDone (loop $ycLoop
          (br_if $ycDone (i32.ge_s (local.get $yc) (local.get $outW)))
          (local.set $kh (i32.const 0))
          (block $khDone (loop $khLoop
            (br_if $khDone (i32.ge_s (local.get $kh) (local.get $fh)))
            (local.set $xr (i32.add (i32.sub (i32.mul (local.get $yr) (local.get $sh)) (local.get $pt)) (local.get $kh)))
            (if (i32.and (i32.ge_s (local.get $xr) (i32.const 0)) (i32.lt_s (local.get $xr) (local.get $inH))) (then
              (local.set $kw (i32.const 0))
              (block $kwDone (loop $kwLoop
                (br_if $kwDone (i32.ge_s (local.get $kw) (local.get $fw)))
                (local.set $xc (i32.add (i32.sub (i32.mul (local.get $yc) (local.get $sw)) (local.get $pl)) (local.get $kw)))
                (if (i32.and (i32.ge_s (local.get $xc) (i32.const 0)) (i32.lt_s (local.get $xc) (local.get $inW))) (then
                  (local.set $src (i32.add (local.get $row) (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $fw)) (local.get $kw)) (local.get $ciBytes))))
                  (local.set $dst (i32.add (local.get $dx)
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $xr)) (local.get $inW)) (local.get $xc)) (local.get $ciBytes))))
                  (local.set $d (i32.const 0))
                  (block $d4Done (loop $d4Loop
                    (br_if $d4Done (i32.ge_s (local.get $d) (local.get $ci4)))
                    (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
                    (local.set $src (i32.add (local.get $src) (i32.const 16)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $d (i32.add (local.get $d) (i32.const 4)))
                    (br $d4Loop)))
                  (block $d1Done (loop $d1Loop
                    (br_if $d1Done (i32.ge_s (local.get $d) (local.get $ci)))
                    (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
                    (local.set $src (i32.add (local.get $src) (i32.const 4)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                    (local.set $d (i32.add (local.get $d) (i32.const 1)))
                    (br $d1Loop)))))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br $kwLoop)))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khLoop)))
          (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
          (local.set $yc (i32.add (local.get $yc) (i32.const 1)))
          (br $ycLoop)))
        (local.set $yr (i32.add (local.get $yr) (i32.const 1)))
        (br $yrLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop)))))
