;; Hidden-layer activations and their derivatives, element by element over n ≥ 4 floats, in 128-bit SIMD on
;; tfjs-backend-wasm's own heap (the memory is imported). See activations.ts beside this folder for the kinds and
;; why; the formulas are tfjs's (training/activations.ts names the ops they replace).
;;
;;   activation_forward(kind, z, h, n):          1 elu: z > 0 ? z : eᶻ − 1      2 selu: z > 0 ? s·z : s·α·(eᶻ − 1)
;;   activation_grad(kind, dh, h, z, out, n):    1 elu: h ≥ 0 ? dh : dh·(h + 1)  (tfjs's EluGrad, from the output)
;;                                               2 selu: z > 0 ? dh·s : dh·s·α·eᶻ
;;                                               3 softplus: dh·σ(z) = dh / (1 + e⁻ᶻ)
;;                                               4 tanh: dh·(1 − h²)   5 sigmoid: dh·h·(1 − h)   6 softsign: dh / (1 + |z|)²
;;                                               7 relu: dh·step(h)  (tfjs's step: NaN stays NaN)
;;
;; eˣ: x clamped to [−87.33, 88.72], x = k·ln2 + r with |r| ≤ ln2/2, eʳ by its degree-6 Taylor polynomial (relative
;; error under 2·10⁻⁷ there), times 2ᵏ built in the exponent bits. Four elements at a time; the last four are
;; recomputed from n − 4 (outputs never alias inputs, so overlapping elements get the same values again).
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87.33 -87.33 -87.33 -87.33)) (v128.const f32x4 88.72 88.72 88.72 88.72)))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    ;; r = x − k·ln2, ln2 split in two so k·ln2_hi is exact
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.166666667 0.166666667 0.166666667 0.166666667)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    ;; · 2ᵏ: (k + 127) << 23 is 2ᵏ's bit pattern (k ≥ −126 after the clamp)
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  (func $forward4 (param $kind i32) (param $z v128) (result v128)
    (local $neg v128) (local $pos v128)
    (local.set $neg (f32x4.sub (call $exp (local.get $z)) (v128.const f32x4 1 1 1 1)))
    (local.set $pos (local.get $z))
    (if (i32.eq (local.get $kind) (i32.const 2)) (then
      (local.set $neg (f32x4.mul (local.get $neg) (v128.const f32x4 1.7580993408 1.7580993408 1.7580993408 1.7580993408)))
      (local.set $pos (f32x4.mul (local.get $pos) (v128.const f32x4 1.0507009873 1.0507009873 1.0507009873 1.0507009873)))))
    (v128.bitselect (local.get $pos) (local.get $neg) (f32x4.gt (local.get $z) (v128.const f32x4 0 0 0 0))))

  (func (export "activation_forward") (param $kind i32) (param $z i32) (param $h i32) (param $n i32)
    (local $i i32) (local $last i32)
    (local.set $last (i32.shl (i32.sub (local.get $n) (i32.const 4)) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.gt_s (local.get $i) (local.get $last)))
      (v128.store (i32.add (local.get $h) (local.get $i)) (call $forward4 (local.get $kind) (v128.load (i32.add (local.get $z) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $loop)))
    (if (i32.ne (local.get $i) (i32.add (local.get $last) (i32.const 16))) (then
      (v128.store (i32.add (local.get $h) (local.get $last)) (call $forward4 (local.get $kind) (v128.load (i32.add (local.get $z) (local.get $last))))))))

  (func $grad4 (param $kind i32) (param $dh v128) (param $h v128) (param $z v128) (result v128)
    (local $d v128)
    (block $done
      (if (i32.eq (local.get $kind) (i32.const 1)) (then
        (local.set $d (v128.bitselect (v128.const f32x4 1 1 1 1) (f32x4.add (local.get $h) (v128.const f32x4 1 1 1 1))
          (f32x4.ge (local.get $h) (v128.const f32x4 0 0 0 0))))
        (br $done)))
      (if (i32.eq (local.get $kind) (i32.const 2)) (then
        (local.set $d (v128.bitselect (v128.const f32x4 1.0507009873 1.0507009873 1.0507009873 1.0507009873)
          (f32x4.mul (call $exp (local.get $z)) (v128.const f32x4 1.7580993408 1.7580993408 1.7580993408 1.7580993408))
          (f32x4.gt (local.get $z) (v128.const f32x4 0 0 0 0))))
        (br $done)))
      (if (i32.eq (local.get $kind) (i32.const 3)) (then
        (local.set $d (f32x4.div (v128.const f32x4 1 1 1 1) (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp (f32x4.neg (local.get $z))))))
        (br $done)))
      (if (i32.eq (local.get $kind) (i32.const 4)) (then
        (local.set $d (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $h) (local.get $h))))
        (br $done)))
      (if (i32.eq (local.get $kind) (i32.const 5)) (then
        (local.set $d (f32x4.mul (local.get $h) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $h))))
        (br $done)))
      (if (i32.eq (local.get $kind) (i32.const 7)) (then
        ;; relu: tf.mul(dh, tf.step(h)) — 1 where h > 0, else 0, NaN where h is NaN (h = relu(z) > 0 exactly where z > 0)
        (local.set $d (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0) (f32x4.gt (local.get $h) (v128.const f32x4 0 0 0 0))))
        (local.set $d (v128.bitselect (local.get $h) (local.get $d) (f32x4.ne (local.get $h) (local.get $h))))
        (br $done)))
      ;; 6 softsign
      (local.set $d (f32x4.add (f32x4.abs (local.get $z)) (v128.const f32x4 1 1 1 1)))
      (return (f32x4.div (local.get $dh) (f32x4.mul (local.get $d) (local.get $d)))))
    (f32x4.mul (local.get $dh) (local.get $d)))

  (func (export "activation_grad") (param $kind i32) (param $dh i32) (param $h i32) (param $z i32) (param $out i32) (param $n i32)
    (local $i i32) (local $last i32)
    (local.set $last (i32.shl (i32.sub (local.get $n) (i32.const 4)) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.gt_s (local.get $i) (local.get $last)))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (call $grad4 (local.get $kind) (v128.load (i32.add (local.get $dh) (local.get $i))) (v128.load (i32.add (local.get $h) (local.get $i)))
          (v128.load (i32.add (local.get $z) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $loop)))
    (if (i32.ne (local.get $i) (i32.add (local.get $last) (i32.const 16))) (then
      (v128.store (i32.add (local.get $out) (local.get $last))
        (call $grad4 (local.get $kind) (v128.load (i32.add (local.get $dh) (local.get $last))) (v128.load (i32.add (local.get $h) (local.get $last)))
          (v128.load (i32.add (local.get $z) (local.get $last))))))))
  )
