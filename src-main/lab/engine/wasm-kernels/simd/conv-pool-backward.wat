;; The backward pass of the common CNN block — a stride-1 'valid' convolution with relu (or no activation), then a
;; 2×2 max pool whose windows neither overlap nor are cut by padding — from the pool's output gradient straight to the
;; convolution's filter, bias and input gradients, for batch items [b0, b1), in 128-bit SIMD on tfjs-backend-wasm's
;; own heap (the memory is imported). See conv-pool-backward.ts for when it is used and why.
;;
;; The pool sends each window's gradient to one pixel of the conv's output (the window's first maximum, the cpu
;; backend's rule: −∞ and NaN never win), and relu's derivative keeps it only where that maximum is > 0. So dz, the
;; gradient at the conv's output, is zero at three pixels in four at least (and where relu drops a window): instead
;; of a dense dz and two dense convolutions over it (filter and input gradients), each window's nonzero gradient g at
;; pixel p of out channel o is applied directly:
;;
;;   dW[o][kh][kw·ci + c] += g · x[p + (kh, kw)][c]        dx[p + (kh, kw)][c] += g · Wt[o][kh][kw·ci + c]
;;
;; for every tap (kh, kw): for a fixed kh, the taps (kw, c) are contiguous in x, dx, dW and Wt, so each filter row is
;; one run of `rowLength` = kw·ci floats, four at a time. dW (and Wt, the filter transposed to [o][kh][kw·ci], given
;; when dx is wanted) are laid out with rows padded to `paddedRow` floats, a multiple of four: a row's last vector may
;; read x past the row (into the next pixel) and write the padding lanes of dW, never dx. db[o] (float64) sums g.
;;
;; Per window and group of four channels the argmax and the masked g are found branch-free and kept in `gs` (g, 0
;; where nothing is routed) and `ats` (which of the window's four pixels, row-major); then only channels with g ≠ 0
;; are applied. Addresses are byte offsets into the heap.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; One channel's window by scalars (the channels past the last group of four): g at $gs, the argmax at $ats.
  (func $window_scalar (param $zp i32) (param $colStep i32) (param $rowStep i32) (param $m f32) (param $g f32) (param $relu i32)
    (param $gs i32) (param $ats i32) (param $db i32)
    (local $best f32) (local $at i32) (local $v f32)
    (if (local.get $relu) (then
      (local.set $g (f32.mul (local.get $g)
        (select (local.get $m) (select (f32.const 1) (f32.const 0) (f32.gt (local.get $m) (f32.const 0))) (f32.ne (local.get $m) (local.get $m)))))))
    (local.set $best (f32.neg (f32.const inf)))
    (local.set $at (i32.const -1))
    (local.set $v (f32.load (local.get $zp)))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (i32.const 0))))
    (local.set $v (f32.load (i32.add (local.get $zp) (local.get $colStep))))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (i32.const 1))))
    (local.set $v (f32.load (i32.add (local.get $zp) (local.get $rowStep))))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (i32.const 2))))
    (local.set $v (f32.load (i32.add (i32.add (local.get $zp) (local.get $rowStep)) (local.get $colStep))))
    (if (f32.gt (local.get $v) (local.get $best)) (then (local.set $best (local.get $v)) (local.set $at (i32.const 3))))
    (if (i32.lt_s (local.get $at) (i32.const 0)) (then (local.set $g (f32.const 0))))
    (f32.store (local.get $gs) (local.get $g))
    (i32.store (local.get $ats) (local.get $at))
    (f64.store (local.get $db) (f64.add (f64.load (local.get $db)) (f64.promote_f32 (local.get $g)))))

  ;; The argmax and masked g of every channel of one window into $gs and $ats; db += g.
  (func $window (param $z i32) (param $y i32) (param $dy i32) (param $zp i32) (param $yo i32) (param $co i32)
    (param $colStep i32) (param $rowStep i32) (param $relu i32) (param $gs i32) (param $ats i32) (param $db i32)
    (local $c i32) (local $cb i32) (local $co4 i32) (local $m v128) (local $g v128) (local $v v128) (local $best v128)
    (local $at v128) (local $gt v128) (local $s i32) (local $p i32)
    (local.set $co4 (i32.and (local.get $co) (i32.const -4)))
    (block $vDone (loop $vLoop
      (br_if $vDone (i32.ge_s (local.get $c) (local.get $co4)))
      (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
      (local.set $m (v128.load (i32.add (local.get $y) (i32.add (local.get $yo) (local.get $cb)))))
      (local.set $g (v128.load (i32.add (local.get $dy) (i32.add (local.get $yo) (local.get $cb)))))
      (if (local.get $relu) (then
        ;; tf.step(m): 1 where m > 0, 0 where m ≤ 0, NaN where m is NaN (the activation kernel's relu rule)
        (local.set $v (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0) (f32x4.gt (local.get $m) (v128.const f32x4 0 0 0 0))))
        (local.set $g (f32x4.mul (local.get $g) (v128.bitselect (local.get $m) (local.get $v) (f32x4.ne (local.get $m) (local.get $m)))))))
      ;; first maximum of the four pixels: a later pixel wins only when strictly greater (NaN and −∞ never win)
      (local.set $p (i32.add (local.get $z) (i32.add (local.get $zp) (local.get $cb))))
      (local.set $best (v128.const f32x4 -inf -inf -inf -inf))
      (local.set $at (v128.const i32x4 -1 -1 -1 -1))
      (local.set $v (v128.load (local.get $p)))
      (local.set $gt (f32x4.gt (local.get $v) (local.get $best)))
      (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
      (local.set $at (v128.bitselect (v128.const i32x4 0 0 0 0) (local.get $at) (local.get $gt)))
      (local.set $v (v128.load (i32.add (local.get $p) (local.get $colStep))))
      (local.set $gt (f32x4.gt (local.get $v) (local.get $best)))
      (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
      (local.set $at (v128.bitselect (v128.const i32x4 1 1 1 1) (local.get $at) (local.get $gt)))
      (local.set $v (v128.load (i32.add (local.get $p) (local.get $rowStep))))
      (local.set $gt (f32x4.gt (local.get $v) (local.get $best)))
      (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
      (local.set $at (v128.bitselect (v128.const i32x4 2 2 2 2) (local.get $at) (local.get $gt)))
      (local.set $v (v128.load (i32.add (i32.add (local.get $p) (local.get $rowStep)) (local.get $colStep))))
      (local.set $at (v128.bitselect (v128.const i32x4 3 3 3 3) (local.get $at) (f32x4.gt (local.get $v) (local.get $best))))
      ;; no maximum (all NaN or −∞): the gradient goes nowhere
      (local.set $g (v128.and (local.get $g) (i32x4.ge_s (local.get $at) (v128.const i32x4 0 0 0 0))))
      (v128.store (i32.add (local.get $gs) (local.get $cb)) (local.get $g))
      (v128.store (i32.add (local.get $ats) (local.get $cb)) (local.get $at))
      (local.set $s (i32.add (local.get $db) (i32.shl (local.get $c) (i32.const 3))))
      (v128.store (local.get $s) (f64x2.add (v128.load (local.get $s)) (f64x2.promote_low_f32x4 (local.get $g))))
      (v128.store offset=16 (local.get $s) (f64x2.add (v128.load offset=16 (local.get $s))
        (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $g) (local.get $g)))))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $vLoop)))
    (block $sDone (loop $sLoop
      (br_if $sDone (i32.ge_s (local.get $c) (local.get $co)))
      (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
      (call $window_scalar (i32.add (local.get $z) (i32.add (local.get $zp) (local.get $cb))) (local.get $colStep) (local.get $rowStep)
        (f32.load (i32.add (local.get $y) (i32.add (local.get $yo) (local.get $cb))))
        (f32.load (i32.add (local.get $dy) (i32.add (local.get $yo) (local.get $cb))))
        (local.get $relu) (i32.add (local.get $gs) (local.get $cb)) (i32.add (local.get $ats) (local.get $cb))
        (i32.add (local.get $db) (i32.shl (local.get $c) (i32.const 3))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $sLoop))))

  ;; One nonzero g at the conv output pixel whose first input pixel is at byte $xo (from x's and dx's start): every
  ;; filter row's run of taps. $dwp and $wtp: out channel o's first row in dW and Wt.
  (func $apply (param $x i32) (param $dx i32) (param $xo i32) (param $g f32) (param $dwp i32) (param $wtp i32)
    (param $kh i32) (param $rowLength i32) (param $paddedRow i32) (param $xRowStep i32) (param $xEnd i32) (param $withDx i32)
    (local $r i32) (local $t i32) (local $L4 i32) (local $gv v128) (local $xr i32) (local $dxr i32) (local $rowBytes i32) (local $padBytes i32)
    (local $pw i32) (local $px i32) (local $pd i32) (local $pt i32)
    (local.set $gv (f32x4.splat (local.get $g)))
    (local.set $rowBytes (i32.shl (local.get $rowLength) (i32.const 2)))
    (local.set $padBytes (i32.shl (local.get $paddedRow) (i32.const 2)))
    (local.set $L4 (i32.shl (i32.and (local.get $rowLength) (i32.const -4)) (i32.const 2)))
    (local.set $xr (i32.add (local.get $x) (local.get $xo)))
    (local.set $dxr (i32.add (local.get $dx) (local.get $xo)))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_s (local.get $r) (local.get $kh)))
      (local.set $t (i32.const 0))
      (if (local.get $withDx)
        (then
          ;; sixteen taps at a time (one address computation per stream for four vectors), then four at a time
          (block $uDone (loop $uLoop
            (br_if $uDone (i32.gt_s (i32.add (local.get $t) (i32.const 64)) (local.get $L4)))
            (local.set $pw (i32.add (local.get $dwp) (local.get $t)))
            (local.set $px (i32.add (local.get $xr) (local.get $t)))
            (local.set $pd (i32.add (local.get $dxr) (local.get $t)))
            (local.set $pt (i32.add (local.get $wtp) (local.get $t)))
            (v128.store offset=0 (local.get $pw) (f32x4.add (v128.load offset=0 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=0 (local.get $px)))))
            (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=16 (local.get $px)))))
            (v128.store offset=32 (local.get $pw) (f32x4.add (v128.load offset=32 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=32 (local.get $px)))))
            (v128.store offset=48 (local.get $pw) (f32x4.add (v128.load offset=48 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=48 (local.get $px)))))
            (v128.store offset=0 (local.get $pd) (f32x4.add (v128.load offset=0 (local.get $pd)) (f32x4.mul (local.get $gv) (v128.load offset=0 (local.get $pt)))))
            (v128.store offset=16 (local.get $pd) (f32x4.add (v128.load offset=16 (local.get $pd)) (f32x4.mul (local.get $gv) (v128.load offset=16 (local.get $pt)))))
            (v128.store offset=32 (local.get $pd) (f32x4.add (v128.load offset=32 (local.get $pd)) (f32x4.mul (local.get $gv) (v128.load offset=32 (local.get $pt)))))
            (v128.store offset=48 (local.get $pd) (f32x4.add (v128.load offset=48 (local.get $pd)) (f32x4.mul (local.get $gv) (v128.load offset=48 (local.get $pt)))))
            (local.set $t (i32.add (local.get $t) (i32.const 64)))
            (br $uLoop)))
          (block $tDone (loop $tLoop
            (br_if $tDone (i32.ge_s (local.get $t) (local.get $L4)))
            (v128.store (i32.add (local.get $dwp) (local.get $t)) (f32x4.add (v128.load (i32.add (local.get $dwp) (local.get $t)))
              (f32x4.mul (local.get $gv) (v128.load (i32.add (local.get $xr) (local.get $t))))))
            (v128.store (i32.add (local.get $dxr) (local.get $t)) (f32x4.add (v128.load (i32.add (local.get $dxr) (local.get $t)))
              (f32x4.mul (local.get $gv) (v128.load (i32.add (local.get $wtp) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 16)))
            (br $tLoop)))
          ;; the row's last rowLength mod 4 taps one at a time (dx has no padding lanes)
          (block $sDone (loop $sLoop
            (br_if $sDone (i32.ge_s (local.get $t) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $dwp) (local.get $t)) (f32.add (f32.load (i32.add (local.get $dwp) (local.get $t)))
              (f32.mul (local.get $g) (f32.load (i32.add (local.get $xr) (local.get $t))))))
            (f32.store (i32.add (local.get $dxr) (local.get $t)) (f32.add (f32.load (i32.add (local.get $dxr) (local.get $t)))
              (f32.mul (local.get $g) (f32.load (i32.add (local.get $wtp) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (br $sLoop))))
        (else
          ;; dW only: the padded row four at a time, but one read past x's end goes a tap at a time
          (if (i32.gt_u (i32.add (local.get $xr) (local.get $padBytes)) (local.get $xEnd)) (then (local.set $padBytes (local.get $L4))))
          (block $uDone (loop $uLoop
            (br_if $uDone (i32.gt_s (i32.add (local.get $t) (i32.const 64)) (local.get $padBytes)))
            (local.set $pw (i32.add (local.get $dwp) (local.get $t)))
            (local.set $px (i32.add (local.get $xr) (local.get $t)))
            (v128.store offset=0 (local.get $pw) (f32x4.add (v128.load offset=0 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=0 (local.get $px)))))
            (v128.store offset=16 (local.get $pw) (f32x4.add (v128.load offset=16 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=16 (local.get $px)))))
            (v128.store offset=32 (local.get $pw) (f32x4.add (v128.load offset=32 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=32 (local.get $px)))))
            (v128.store offset=48 (local.get $pw) (f32x4.add (v128.load offset=48 (local.get $pw)) (f32x4.mul (local.get $gv) (v128.load offset=48 (local.get $px)))))
            (local.set $t (i32.add (local.get $t) (i32.const 64)))
            (br $uLoop)))
          (block $tDone (loop $tLoop
            (br_if $tDone (i32.ge_s (local.get $t) (local.get $padBytes)))
            (v128.store (i32.add (local.get $dwp) (local.get $t)) (f32x4.add (v128.load (i32.add (local.get $dwp) (local.get $t)))
              (f32x4.mul (local.get $gv) (v128.load (i32.add (local.get $xr) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 16)))
            (br $tLoop)))
          (block $sDone (loop $sLoop
            (br_if $sDone (i32.ge_s (local.get $t) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $dwp) (local.get $t)) (f32.add (f32.load (i32.add (local.get $dwp) (local.get $t)))
              (f32.mul (local.get $g) (f32.load (i32.add (local.get $xr) (local.get $t))))))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (br $sLoop)))
          (local.set $padBytes (i32.shl (local.get $paddedRow) (i32.const 2)))))
      (local.set $xr (i32.add (local.get $xr) (local.get $xRowStep)))
      (local.set $dxr (i32.add (local.get $dxr) (local.get $xRowStep)))
      (local.set $dwp (i32.add (local.get $dwp) (local.get $padBytes)))
      (local.set $wtp (i32.add (local.get $wtp) (local.get $padBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop))))

  ;; $dx = 0: no input gradient (then $wt is not read). $dw, $db, $gs, $ats: this share's own buffers ($dw zeroed,
  ;; co·kh·paddedRow floats; $db zeroed, co float64s; $gs and $ats co floats / ints, co rounded up to four).
  ;; $xEnd: the byte address just past x.
  (func (export "conv_pool_backward")
    (param $x i32) (param $z i32) (param $y i32) (param $dy i32) (param $wt i32) (param $dx i32)
    (param $dw i32) (param $db i32) (param $gs i32) (param $ats i32)
    (param $inH i32) (param $inW i32) (param $ci i32) (param $outH i32) (param $outW i32) (param $co i32)
    (param $kh i32) (param $kw i32) (param $poolH i32) (param $poolW i32) (param $psh i32) (param $psw i32)
    (param $relu i32) (param $paddedRow i32) (param $xEnd i32) (param $b0 i32) (param $b1 i32)
    (local $b i32) (local $i i32) (local $j i32) (local $c i32) (local $zp i32) (local $yo i32) (local $g f32) (local $at i32)
    (local $colStep i32) (local $rowStep i32) (local $xRowStep i32) (local $channelBytes i32) (local $rowLength i32) (local $pr i32) (local $pc i32)
    (local.set $colStep (i32.shl (local.get $co) (i32.const 2)))
    (local.set $rowStep (i32.mul (local.get $outW) (local.get $colStep)))
    (local.set $xRowStep (i32.shl (i32.mul (local.get $inW) (local.get $ci)) (i32.const 2)))
    (local.set $rowLength (i32.mul (local.get $kw) (local.get $ci)))
    (local.set $channelBytes (i32.shl (i32.mul (local.get $kh) (local.get $paddedRow)) (i32.const 2)))
    (local.set $b (local.get $b0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $b1)))
      (local.set $i (i32.const 0))
      (block $iDone (loop $iLoop
        (br_if $iDone (i32.ge_s (local.get $i) (local.get $poolH)))
        (local.set $j (i32.const 0))
        (block $jDone (loop $jLoop
          (br_if $jDone (i32.ge_s (local.get $j) (local.get $poolW)))
          ;; the window's first pixel in z, and the pooled pixel in y and dy (byte offsets)
          (local.set $zp (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (i32.mul (local.get $i) (local.get $psh)))
            (local.get $outW)) (i32.mul (local.get $j) (local.get $psw))) (local.get $colStep)))
          (local.set $yo (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $poolH)) (local.get $i)) (local.get $poolW)) (local.get $j))
            (local.get $colStep)))
          (call $window (local.get $z) (local.get $y) (local.get $dy) (local.get $zp) (local.get $yo) (local.get $co)
            (local.get $colStep) (local.get $rowStep) (local.get $relu) (local.get $gs) (local.get $ats) (local.get $db))
          (local.set $c (i32.const 0))
          (block $cDone (loop $cLoop
            (br_if $cDone (i32.ge_s (local.get $c) (local.get $co)))
            (local.set $g (f32.load (i32.add (local.get $gs) (i32.shl (local.get $c) (i32.const 2)))))
            (if (f32.ne (local.get $g) (f32.const 0)) (then
              (local.set $at (i32.load (i32.add (local.get $ats) (i32.shl (local.get $c) (i32.const 2)))))
              ;; the conv output pixel that was the maximum; stride 1, no padding: its first input pixel has the same index
              (local.set $pr (i32.add (i32.mul (local.get $i) (local.get $psh)) (i32.shr_u (local.get $at) (i32.const 1))))
              (local.set $pc (i32.add (i32.mul (local.get $j) (local.get $psw)) (i32.and (local.get $at) (i32.const 1))))
              (call $apply (local.get $x) (local.get $dx)
                (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $pr)) (local.get $inW)) (local.get $pc))
                  (i32.shl (local.get $ci) (i32.const 2)))
                (local.get $g) (i32.add (local.get $dw) (i32.mul (local.get $c) (local.get $channelBytes)))
                (i32.add (local.get $wt) (i32.mul (local.get $c) (local.get $channelBytes)))
                (local.get $kh) (local.get $rowLength) (local.get $paddedRow) (local.get $xRowStep) (local.get $xEnd) (local.get $dx))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cLoop)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jLoop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop)))))
