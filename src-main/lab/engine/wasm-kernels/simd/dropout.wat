;; tf.dropout's multiplier straight into a tensor on tfjs-backend-wasm's heap (the memory is imported): seedrandom's
;; Alea, the recurrence exactly as seedrandom 3.0.5 writes it (dropout-mask.ts seeds it and holds the JS twin), each
;; uniform U turned into floor(fround(U) + keep) · scale at once — scale = fround(1/keep) where that floor is 1, else 0.
;;
;; Why here and not in JS: the recurrence is a serial chain of float64 operations the JIT runs at ~6 ns a value, but
;; the JS loop's float32 rounding and 50/50 branch on the mask cost ~14 more (4 ms for Keras' 128×1600 dropout, a tenth
;; of its step); here they ride beside the chain, branch-free.
;;
;; JS's `c = t | 0` is f64.trunc here: t is in [0, 2091640), where both truncate. fround(fround(U) + keep) is
;; f32.add of two float32s (a float64 sum rounded once to float32 is the correctly rounded float32 sum).
(module
  (import "env" "memory" (memory 1 65536 shared))
  (func (export "dropout_multiplier") (param $out i32) (param $n i32) (param $keep f32) (param $scale f32)
    (param $s0 f64) (param $s1 f64) (param $s2 f64)
    (local $end i32) (local $t f64) (local $c f64)
    (local.set $c (f64.const 1))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (local.set $t (f64.add (f64.mul (f64.const 2091639) (local.get $s0)) (f64.mul (local.get $c) (f64.const 2.3283064365386963e-10))))
      (local.set $s0 (local.get $s1))
      (local.set $s1 (local.get $s2))
      (local.set $c (f64.trunc (local.get $t)))
      (local.set $s2 (f64.sub (local.get $t) (local.get $c)))
      (f32.store (local.get $out)
        (f32.mul (local.get $scale) (f32.floor (f32.add (f32.demote_f64 (local.get $s2)) (local.get $keep)))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br $loop))))
)
