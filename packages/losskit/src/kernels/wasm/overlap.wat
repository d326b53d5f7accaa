;; float32 SIMD kernels for the overlap losses (dice, iou, bceDice, bceIou): the sums pass
;; Σpy, Σp, Σy, which also checks the [0, 1] ranges, and the gradient pass g = g + slope·y + offset,
;; on probabilities p or on logits x (p = σ(x), and the gradient times σ(x)σ(−x)).
;;
;; The sums widen the float32 values to f64x2 and repeat the JavaScript loops' float64
;; operations: on probabilities a product of two float32 values is exact in float64, so the sums
;; differ from the JavaScript ones only in their order. On logits e^(−|x|) comes from a float64
;; polynomial (relative error about 3e-16, against the JavaScript table's 1e-15), so the sums
;; agree to about 1e-15. (Sums of four f32x4 products and values widened afterwards were measured
;; 17% faster in cache, but moved the loss by 1e-6 of its value on confident predictions, a loss
;; of 1e-3, and by 1e-4 at a loss of 1e-5: 1 − score magnifies the sums' error. Not kept.)
;;
;; The probability gradient is f32x4 arithmetic on slope and offset rounded to float32: within
;; (3|slope·y| + 2|offset|)·2^−24 of the exact value, 2.8 times faster in cache than the f64x2
;; form it replaced (0.11 against 0.31 ns per element). The logit gradient stays float64, within
;; the last float32 bit of the JavaScript loop.
;;
;; Range check: the sums kernels keep the unsigned maximum of the bits of every y (and p, on
;; probabilities) and return nonzero when it exceeds the bits of 1.0: the bits of +0 .. 1 are
;; 0 .. 0x3f800000, and those of NaN, ±Infinity, values above 1 and every negative number lie
;; above. −0 (0x80000000) is flagged too, though it lies in [0, 1]: the caller's own check,
;; which the flag only triggers, accepts it. About 0.06 ns per element, against 0.68 for
;; JavaScript's two separate probes.
;;
;; Memory: imported (shared where the engine allows, for the thread pool). The kernels take the
;; byte offsets of p (or x), y and g, and of the sums Σpy, Σp, Σy (float64) that the sums
;; kernels add to: scratch regions of overlap.ts (a chunk of 16384 elements copied in) or
;; resident arrays (read and written in place). n is a positive multiple of 4 (the loops test at
;; their end, measured faster in V8): on scratch regions the caller pads y and p with zeros (x
;; with -1e30, σ = 0), which add nothing to the sums and pass the range check, and copies only
;; its own elements of g back; on resident arrays it passes whole multiples of 4 only.
;;
;; Each pair of float32 values is read with v128.load64_zero and widened by
;; f64x2.promote_low_f32x4: V8 then emits cvtps2pd from memory, where a shuffle of a full f32x4
;; and two conversions from registers compete for one port on x64 (1.6x slower, measured). The
;; range check reads the f32x4 once more, which costs less than taking the pairs from it.
(module
  (import "env" "memory" (memory 1 16384 shared))

  (global $one v128 (v128.const f64x2 1 1))
  ;; exp
  (global $expLow v128 (v128.const f64x2 -708 -708))
  (global $log2e v128 (v128.const f64x2 1.4426950408889634 1.4426950408889634))
  (global $roundMagic v128 (v128.const f64x2 6755399441055744 6755399441055744))
  (global $ln2Hi v128 (v128.const f64x2 0.6931471803691238 0.6931471803691238))
  (global $ln2Lo v128 (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))
  (global $bias v128 (v128.const i64x2 1023 1023))
  (global $c2 v128 (v128.const f64x2 0.5 0.5))
  (global $c3 v128 (v128.const f64x2 0.16666666666666666 0.16666666666666666))
  (global $c4 v128 (v128.const f64x2 0.041666666666666664 0.041666666666666664))
  (global $c5 v128 (v128.const f64x2 0.008333333333333333 0.008333333333333333))
  (global $c6 v128 (v128.const f64x2 0.001388888888888889 0.001388888888888889))
  (global $c7 v128 (v128.const f64x2 1.984126984126984e-4 1.984126984126984e-4))
  (global $c8 v128 (v128.const f64x2 2.48015873015873e-5 2.48015873015873e-5))
  (global $c9 v128 (v128.const f64x2 2.7557319223985893e-6 2.7557319223985893e-6))
  (global $c10 v128 (v128.const f64x2 2.755731922398589e-7 2.755731922398589e-7))
  (global $c11 v128 (v128.const f64x2 2.505210838544172e-8 2.505210838544172e-8))
  (global $c12 v128 (v128.const f64x2 2.08767569878681e-9 2.08767569878681e-9))

  ;; Adds p·y, p and y over the chunk to the sums at 196608; returns nonzero when a p or a y
  ;; lies outside [+0, 1]. Each sum has two f64x2 accumulators (elements 4k, 4k + 1 and 4k + 2,
  ;; 4k + 3), so that the adds overlap.
  (func $overlapSums (param $p i32) (param $y i32) (param $n i32) (param $sums i32) (result i32)
    (local $i i32) (local $end i32) (local $bits v128) (local $pl v128) (local $ph v128) (local $yl v128) (local $yh v128)
    (local $il v128) (local $ih v128) (local $sl v128) (local $sh v128) (local $tl v128) (local $th v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $next
      (local.set $bits (i32x4.max_u (local.get $bits)
        (i32x4.max_u (v128.load (i32.add (local.get $p) (local.get $i))) (v128.load (i32.add (local.get $y) (local.get $i))))))
      (local.set $pl (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (local.get $i)))))
      (local.set $ph (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $p) (local.get $i)))))
      (local.set $yl (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $y) (local.get $i)))))
      (local.set $yh (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $y) (local.get $i)))))
      (local.set $il (f64x2.add (local.get $il) (f64x2.mul (local.get $pl) (local.get $yl))))
      (local.set $ih (f64x2.add (local.get $ih) (f64x2.mul (local.get $ph) (local.get $yh))))
      (local.set $sl (f64x2.add (local.get $sl) (local.get $pl)))
      (local.set $sh (f64x2.add (local.get $sh) (local.get $ph)))
      (local.set $tl (f64x2.add (local.get $tl) (local.get $yl)))
      (local.set $th (f64x2.add (local.get $th) (local.get $yh)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $end))))
    (call $storeSums (local.get $sums) (f64x2.add (local.get $il) (local.get $ih)) (f64x2.add (local.get $sl) (local.get $sh))
      (f64x2.add (local.get $tl) (local.get $th)))
    (call $aboveOne (local.get $bits)))

  ;; Adds the lanes of each accumulator to its sum at at, at + 8 and at + 16.
  (func $storeSums (param $at i32) (param $i v128) (param $s v128) (param $t v128)
    (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
      (f64.add (f64x2.extract_lane 0 (local.get $i)) (f64x2.extract_lane 1 (local.get $i)))))
    (f64.store offset=8 (local.get $at) (f64.add (f64.load offset=8 (local.get $at))
      (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s)))))
    (f64.store offset=16 (local.get $at) (f64.add (f64.load offset=16 (local.get $at))
      (f64.add (f64x2.extract_lane 0 (local.get $t)) (f64x2.extract_lane 1 (local.get $t))))))

  ;; Nonzero when a lane of the bits' maximum lies above the bits of 1.0 (see the range check).
  (func $aboveOne (param $bits v128) (result i32)
    (v128.any_true (i32x4.gt_u (local.get $bits) (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))))

  ;; g = g + (slope·y + offset) in f32x4, slope and offset rounded to float32 by the call.
  (func (export "overlapGradAdd") (param $y i32) (param $g i32) (param $n i32) (param $slope f32) (param $offset f32)
    (local $i i32) (local $end i32) (local $a v128) (local $b v128)
    (local.set $a (f32x4.splat (local.get $slope)))
    (local.set $b (f32x4.splat (local.get $offset)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $next
      (v128.store (i32.add (local.get $g) (local.get $i))
        (f32x4.add (v128.load (i32.add (local.get $g) (local.get $i)))
          (f32x4.add (f32x4.mul (local.get $a) (v128.load (i32.add (local.get $y) (local.get $i)))) (local.get $b))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $end)))))

  ;; g = slope·y + offset, for a gradient known to hold zeros: overlapGradAdd's bits there
  ;; (0 + t = t), without the caller copying g in.
  (func (export "overlapGradSet") (param $y i32) (param $g i32) (param $n i32) (param $slope f32) (param $offset f32)
    (local $i i32) (local $end i32) (local $a v128) (local $b v128)
    (local.set $a (f32x4.splat (local.get $slope)))
    (local.set $b (f32x4.splat (local.get $offset)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $next
      (v128.store (i32.add (local.get $g) (local.get $i))
        (f32x4.add (f32x4.mul (local.get $a) (v128.load (i32.add (local.get $y) (local.get $i)))) (local.get $b)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $end)))))

  ;; e^t for t <= 0 in float64; 0 below t = -708 (where e^t leaves the normal range: the float32
  ;; gradient and the sums cannot tell it from 0). t = k ln2 + r with k = round(t / ln2) (adding
  ;; 1.5 * 2^52 rounds, and leaves k in the low mantissa bits), |r| <= ln2/2 (ln2 in two parts,
  ;; k ln2Hi exact); e^r by its Taylor polynomial to r^12 (truncation below 3e-16) in Estrin's
  ;; scheme; 2^k built in the exponent bits.
  (func $expNonPositive (param $t v128) (result v128)
    (local $kb v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $inRange v128)
    (local.set $inRange (f64x2.ge (local.get $t) (global.get $expLow)))
    (local.set $t (f64x2.pmax (global.get $expLow) (local.get $t)))
    (local.set $kb (f64x2.add (f64x2.mul (local.get $t) (global.get $log2e)) (global.get $roundMagic)))
    (local.set $k (f64x2.sub (local.get $kb) (global.get $roundMagic)))
    (local.set $r (f64x2.sub
      (f64x2.sub (local.get $t) (f64x2.mul (local.get $k) (global.get $ln2Hi)))
      (f64x2.mul (local.get $k) (global.get $ln2Lo))))
    (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
    (v128.and (local.get $inRange)
      (f64x2.mul
        (f64x2.add
          ;; (1 + r + r^2 (c2 + c3 r)) + r^4 ((c4 + c5 r) + r^2 (c6 + c7 r))
          (f64x2.add
            (f64x2.add (global.get $one) (local.get $r))
            (f64x2.mul (local.get $r2) (f64x2.add (global.get $c2) (f64x2.mul (local.get $r) (global.get $c3)))))
          (f64x2.mul (local.get $r4)
            (f64x2.add
              (f64x2.add
                (f64x2.add (global.get $c4) (f64x2.mul (local.get $r) (global.get $c5)))
                (f64x2.mul (local.get $r2) (f64x2.add (global.get $c6) (f64x2.mul (local.get $r) (global.get $c7)))))
              ;; + r^4 ((c8 + c9 r) + r^2 (c10 + c11 r) + r^4 c12)
              (f64x2.mul (local.get $r4)
                (f64x2.add
                  (f64x2.add
                    (f64x2.add (global.get $c8) (f64x2.mul (local.get $r) (global.get $c9)))
                    (f64x2.mul (local.get $r2) (f64x2.add (global.get $c10) (f64x2.mul (local.get $r) (global.get $c11)))))
                  (f64x2.mul (local.get $r4) (global.get $c12)))))))
        (i64x2.shl (i64x2.add (local.get $kb) (global.get $bias)) (i32.const 52)))))

  ;; σ(x) of two widened logits: 1/(1 + e) for x >= 0, e/(1 + e) below, e = e^(-|x|).
  (func $sigmoid (param $x v128) (result v128)
    (local $e v128)
    (local.set $e (call $expNonPositive (f64x2.neg (f64x2.abs (local.get $x)))))
    (f64x2.div
      (v128.bitselect (global.get $one) (local.get $e) (f64x2.ge (local.get $x) (f64x2.splat (f64.const 0))))
      (f64x2.add (global.get $one) (local.get $e))))

  ;; overlapSums on logits: p = σ(x); returns nonzero when a y lies outside [+0, 1].
  (func $overlapSumsLogits (param $p i32) (param $y i32) (param $n i32) (param $sums i32) (result i32)
    (local $i i32) (local $end i32) (local $bits v128) (local $pl v128) (local $ph v128) (local $yl v128) (local $yh v128)
    (local $il v128) (local $ih v128) (local $sl v128) (local $sh v128) (local $tl v128) (local $th v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $next
      (local.set $bits (i32x4.max_u (local.get $bits) (v128.load (i32.add (local.get $y) (local.get $i)))))
      (local.set $pl (call $sigmoid (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (local.get $i))))))
      (local.set $ph (call $sigmoid (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $p) (local.get $i))))))
      (local.set $yl (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $y) (local.get $i)))))
      (local.set $yh (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $y) (local.get $i)))))
      (local.set $il (f64x2.add (local.get $il) (f64x2.mul (local.get $pl) (local.get $yl))))
      (local.set $ih (f64x2.add (local.get $ih) (f64x2.mul (local.get $ph) (local.get $yh))))
      (local.set $sl (f64x2.add (local.get $sl) (local.get $pl)))
      (local.set $sh (f64x2.add (local.get $sh) (local.get $ph)))
      (local.set $tl (f64x2.add (local.get $tl) (local.get $yl)))
      (local.set $th (f64x2.add (local.get $th) (local.get $yh)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $end))))
    (call $storeSums (local.get $sums) (f64x2.add (local.get $il) (local.get $ih)) (f64x2.add (local.get $sl) (local.get $sh))
      (f64x2.add (local.get $tl) (local.get $th)))
    (call $aboveOne (local.get $bits)))

  ;; g + (slope y + offset) e / (1 + e)^2 for two elements at byte $i (e = e^(-|x|)), as the
  ;; JavaScript loop orders it: ((slope y + offset) e inv) inv, inv = 1/(1 + e).
  (func $logitGradPair (param $p i32) (param $y i32) (param $g i32) (param $i i32) (param $a v128) (param $b v128) (result v128)
    (local $e v128) (local $inv v128)
    (local.set $e (call $expNonPositive
      (f64x2.neg (f64x2.abs (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (local.get $i))))))))
    (local.set $inv (f64x2.div (global.get $one) (f64x2.add (global.get $one) (local.get $e))))
    (f32x4.demote_f64x2_zero
      (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $i))))
        (f64x2.mul
          (f64x2.mul
            (f64x2.mul
              (f64x2.add
                (f64x2.mul (local.get $a) (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $y) (local.get $i)))))
                (local.get $b))
              (local.get $e))
            (local.get $inv))
          (local.get $inv)))))

  ;; overlapGradAdd on logits (the caller zero-fills g where it holds zeros).
  (func (export "overlapGradLogitsAdd") (param $p i32) (param $y i32) (param $g i32) (param $n i32) (param $slope f64) (param $offset f64)
    (local $i i32) (local $end i32) (local $a v128) (local $b v128)
    (local.set $a (f64x2.splat (local.get $slope)))
    (local.set $b (f64x2.splat (local.get $offset)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $next
      (v128.store64_lane 0 (i32.add (local.get $g) (local.get $i))
        (call $logitGradPair (local.get $p) (local.get $y) (local.get $g) (local.get $i) (local.get $a) (local.get $b)))
      (v128.store64_lane offset=8 0 (i32.add (local.get $g) (local.get $i))
        (call $logitGradPair (local.get $p) (local.get $y) (local.get $g) (i32.add (local.get $i) (i32.const 8)) (local.get $a) (local.get $b)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $end)))))

  ;; The sums pass over [0, n) (n a positive multiple of 4) in chunks of 16384 elements, on
  ;; probabilities (logits = 0) or logits (1): chunk c's Σpy, Σp, Σy are stored at sums + 24c
  ;; (zeroed first), so that the caller adds them in chunk order for every thread count; the
  ;; range flags of the chunks, or-ed, are stored at flag.
  (func (export "sumsChunks") (param $logits i32) (param $p i32) (param $y i32) (param $n i32) (param $sums i32) (param $flag i32)
    (local $m i32) (local $flags i32)
    (loop $next
      (local.set $m (select (i32.const 16384) (local.get $n) (i32.gt_u (local.get $n) (i32.const 16384))))
      (f64.store (local.get $sums) (f64.const 0))
      (f64.store offset=8 (local.get $sums) (f64.const 0))
      (f64.store offset=16 (local.get $sums) (f64.const 0))
      (local.set $flags (i32.or (local.get $flags)
        (if (result i32) (local.get $logits)
          (then (call $overlapSumsLogits (local.get $p) (local.get $y) (local.get $m) (local.get $sums)))
          (else (call $overlapSums (local.get $p) (local.get $y) (local.get $m) (local.get $sums))))))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $m) (i32.const 2))))
      (local.set $y (i32.add (local.get $y) (i32.shl (local.get $m) (i32.const 2))))
      (local.set $sums (i32.add (local.get $sums) (i32.const 24)))
      (local.set $n (i32.sub (local.get $n) (local.get $m)))
      (br_if $next (i32.gt_s (local.get $n) (i32.const 0))))
    (i32.store (local.get $flag) (local.get $flags)))
)
