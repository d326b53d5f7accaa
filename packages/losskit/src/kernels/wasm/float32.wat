;; float32 SIMD kernels for the common case of some losses (reduced value, no upstream array):
;; value and gradient in one pass, all arithmetic in f32x4. Each kernel returns the sum of the
;; element losses accumulated in float64 (an f32x4 of losses, at most a sum of four, is widened
;; to two f64x2 before it is added), so the sum's error does not grow with n.
;; Accuracy against the float64 path (float32.test.ts): values within 2e-6 relative (in practice
;; ~1e-7), gradients within a few float32 ulps. The binary losses on logits take exp and log1p
;; from polynomials (~1 ulp each).
;;
;; Memory: imported (shared where the engine allows, for the thread pool), managed by float32.ts.
;; Each kernel reads x and y and writes g at the byte offsets it is given, n elements at most
;; CHUNK = 16384. They are either the caller's scratch regions (a chunk copied in, g copied out)
;; or arrays that live in this memory (float32.ts's resident arrays: no copies).
;; n is a multiple of 4. Unrolled kernels first pad x and y past n up to their step with values
;; whose loss is exactly 0: float32.ts passes resident arrays only in chunks of a multiple of 16
;; elements, where no padding happens, and a ragged chunk through the scratch regions.
;;
;; Speed (V8): every loop is bottom-tested (do-while), which is what lets TurboFan hoist the
;; constants and splats out of it; with the test at the top it recomputes them on every pass.
;; Nothing is called inside a loop: V8 does not inline wasm calls, and v128 arguments and
;; results spill. Constants are immutable globals; polynomials use Estrin's scheme.
(module
  (import "env" "memory" (memory 1 16384 shared))

  (global $zero v128 (v128.const f32x4 0 0 0 0)) ;; also the integer 0
  (global $one v128 (v128.const f32x4 1 1 1 1))
  (global $two v128 (v128.const f32x4 2 2 2 2))
  (global $half v128 (v128.const f32x4 0.5 0.5 0.5 0.5))
  (global $signBit v128 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
  (global $oneBits v128 (v128.const i32x4 0x3f800000 0x3f800000 0x3f800000 0x3f800000))
  (global $absMask v128 (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
  (global $padLogit v128 (v128.const f32x4 -1e4 -1e4 -1e4 -1e4))
  ;; exp
  (global $expLow v128 (v128.const f32x4 -104 -104 -104 -104))
  (global $log2e v128 (v128.const f32x4 1.44269504089 1.44269504089 1.44269504089 1.44269504089))
  (global $roundMagic v128 (v128.const f32x4 12582912 12582912 12582912 12582912))
  (global $ln2Hi v128 (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
  (global $ln2Lo v128 (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
  (global $kOffset v128 (v128.const i32x4 0x4b3fff81 0x4b3fff81 0x4b3fff81 0x4b3fff81))
  (global $e2 v128 (v128.const f32x4 0.49999994 0.49999994 0.49999994 0.49999994))
  (global $e3 v128 (v128.const f32x4 0.16666521 0.16666521 0.16666521 0.16666521))
  (global $e4 v128 (v128.const f32x4 0.04166839 0.04166839 0.04166839 0.04166839))
  (global $e5 v128 (v128.const f32x4 0.008368745 0.008368745 0.008368745 0.008368745))
  (global $e6 v128 (v128.const f32x4 0.001381454 0.001381454 0.001381454 0.001381454))
  ;; log1p
  (global $sqrt2m1 v128 (v128.const f32x4 0.41421356 0.41421356 0.41421356 0.41421356))
  (global $ln2 v128 (v128.const f32x4 0.69314718 0.69314718 0.69314718 0.69314718))
  (global $l3 v128 (v128.const f32x4 0.66666776 0.66666776 0.66666776 0.66666776))
  (global $l5 v128 (v128.const f32x4 0.39977497 0.39977497 0.39977497 0.39977497))
  (global $l7 v128 (v128.const f32x4 0.29873073 0.29873073 0.29873073 0.29873073))

  (; Reference implementations of the exp and log1p that bceWithLogits and focalGamma2 inline
     (the same operations; not assembled, since nothing calls them).

  ;; e^t for t <= 0, ~1 ulp; 0 below t = -87.68 (k <= -127), where e^t < 2^-126.5 would be
  ;; subnormal (float32.ts does not trust totals that small). t = k ln2 + r with
  ;; k = round(t / ln2): adding 1.5 * 2^23 rounds, and leaves 2^22 + k in the low mantissa bits
  ;; of kb, so kb's bits - kOffset = k + 127, the exponent field of 2^k (clamped at 0, which
  ;; makes 2^k = +0). t is clamped at -104 first, so that k >= -150 stays in those bits.
  ;; r in [-ln2/2, ln2/2] (ln2 in two parts, Cody-Waite; k ln2Hi is exact),
  ;; e^r = 1 + r + r^2 (e2 + e3 r + e4 r^2 + e5 r^3 + e6 r^4), a minimax fit of relative error 3e-9.
  (func $expNonPositive (param $t v128) (result v128)
    (local $kb v128) (local $k v128) (local $r v128) (local $r2 v128)
    (local.set $t (f32x4.pmax (global.get $expLow) (local.get $t)))
    (local.set $kb (f32x4.add (f32x4.mul (local.get $t) (global.get $log2e)) (global.get $roundMagic)))
    (local.set $k (f32x4.sub (local.get $kb) (global.get $roundMagic)))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $t) (f32x4.mul (local.get $k) (global.get $ln2Hi)))
      (f32x4.mul (local.get $k) (global.get $ln2Lo))))
    (local.set $r2 (f32x4.mul (local.get $r) (local.get $r)))
    (f32x4.mul
      (f32x4.add
        (f32x4.add (global.get $one) (local.get $r))
        (f32x4.mul (local.get $r2)
          (f32x4.add
            (f32x4.add (global.get $e2) (f32x4.mul (local.get $r) (global.get $e3)))
            (f32x4.mul (local.get $r2)
              (f32x4.add
                (f32x4.add (global.get $e4) (f32x4.mul (local.get $r) (global.get $e5)))
                (f32x4.mul (local.get $r2) (global.get $e6)))))))
      (i32x4.shl
        (i32x4.max_s (i32x4.sub (local.get $kb) (global.get $kOffset)) (global.get $zero))
        (i32.const 23))))

  ;; log(1 + e) for e in [0, 1], a few ulps. Above sqrt2 - 1, 1 + e = 2 (1 + f) with
  ;; f = e - (1 + e)/2 = (e - 1)/2 (the kernels have 1 + e already, for the sigmoid), so f lies
  ;; in [-0.293, 0.414] either way; then log1p(f) = 2 atanh(s), s = f / (2 + f), |s| <= 0.172:
  ;; 2s + s z (l3 + l5 z + l7 z^2), z = s^2, l3..l7 a minimax fit of atanh's odd series
  ;; (relative error 1e-9). Tiny e keep their full relative precision (nothing is added to 1
  ;; before the logarithm).
  (func $log1pUnit (param $e v128) (result v128)
    (local $big v128) (local $f v128) (local $s v128) (local $z v128)
    (local.set $big (f32x4.gt (local.get $e) (global.get $sqrt2m1)))
    (local.set $f (f32x4.sub (local.get $e)
      (v128.and (local.get $big) (f32x4.mul (f32x4.add (global.get $one) (local.get $e)) (global.get $half)))))
    (local.set $s (f32x4.div (local.get $f) (f32x4.add (local.get $f) (global.get $two))))
    (local.set $z (f32x4.mul (local.get $s) (local.get $s)))
    (f32x4.add
      (f32x4.add (v128.and (local.get $big) (global.get $ln2)) (f32x4.add (local.get $s) (local.get $s)))
      (f32x4.mul (f32x4.mul (local.get $s) (local.get $z))
        (f32x4.add
          (f32x4.add (global.get $l3) (f32x4.mul (local.get $z) (global.get $l5)))
          (f32x4.mul (f32x4.mul (local.get $z) (local.get $z)) (global.get $l7))))))
  ;)

  ;; Binary cross-entropy on logits, two vectors per pass (a and b). With e = e^-|x| (the sign
  ;; bit set gives -|x|), inv = 1/(1 + e), small = e inv, p = sigma(x) and r = sigma(-x) (inv
  ;; and small chosen by the sign; r takes the other one by xor):
  ;; loss = y relu(-x) + (1 - y) relu(x) + log1p(e) (non-negative terms, no cancellation),
  ;; g = scale ((1 - y) p - y r) (exact for hard targets, where sigma(x) - y would cancel).
  ;; An odd vector count is padded with x = -1e4, y = 0, whose loss is exactly 0.
  (func $bceWithLogits (param $x i32) (param $y i32) (param $g i32) (param $n i32) (param $scale f32) (result f64)
    (local $ymax v128)
    (local $i i32) (local $end i32) (local $sc v128) (local $l v128) (local $acc0 v128) (local $acc1 v128)
    (local $xa v128) (local $ya v128) (local $nya v128) (local $ta v128) (local $rounda v128) (local $ka v128)
    (local $ra v128) (local $r2a v128) (local $ea v128) (local $dena v128) (local $inva v128)
    (local $smalla v128) (local $biga v128) (local $fa v128) (local $sa v128) (local $za v128)
    (local $relua v128) (local $pa v128)
    (local $xb v128) (local $yb v128) (local $nyb v128) (local $tb v128) (local $roundb v128) (local $kb v128)
    (local $rb v128) (local $r2b v128) (local $eb v128) (local $denb v128) (local $invb v128)
    (local $smallb v128) (local $bigb v128) (local $fb v128) (local $sb v128) (local $zb v128)
    (local $relub v128) (local $pb v128)
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (if (i32.and (local.get $end) (i32.const 16))
      (then
        (v128.store (i32.add (local.get $x) (local.get $end)) (global.get $padLogit))
        (v128.store (i32.add (local.get $y) (local.get $end)) (global.get $zero))
        (local.set $end (i32.add (local.get $end) (i32.const 16)))))
    (if (local.get $end)
      (then
        (loop $next
          (local.set $xa (v128.load (i32.add (local.get $x) (local.get $i))))
          (local.set $ya (v128.load (i32.add (local.get $y) (local.get $i))))
          (local.set $xb (v128.load offset=16 (i32.add (local.get $x) (local.get $i))))
          (local.set $yb (v128.load offset=16 (i32.add (local.get $y) (local.get $i))))
          (local.set $ymax (i32x4.max_u (local.get $ymax) (i32x4.max_u (local.get $ya) (local.get $yb))))
          (local.set $nya (f32x4.sub (global.get $one) (local.get $ya)))
          (local.set $nyb (f32x4.sub (global.get $one) (local.get $yb)))
          ;; e = expNonPositive(-|x|)
          (local.set $ta (f32x4.pmax (global.get $expLow) (v128.or (local.get $xa) (global.get $signBit))))
          (local.set $tb (f32x4.pmax (global.get $expLow) (v128.or (local.get $xb) (global.get $signBit))))
          (local.set $rounda (f32x4.add (f32x4.mul (local.get $ta) (global.get $log2e)) (global.get $roundMagic)))
          (local.set $roundb (f32x4.add (f32x4.mul (local.get $tb) (global.get $log2e)) (global.get $roundMagic)))
          (local.set $ka (f32x4.sub (local.get $rounda) (global.get $roundMagic)))
          (local.set $kb (f32x4.sub (local.get $roundb) (global.get $roundMagic)))
          (local.set $ra (f32x4.sub
            (f32x4.sub (local.get $ta) (f32x4.mul (local.get $ka) (global.get $ln2Hi)))
            (f32x4.mul (local.get $ka) (global.get $ln2Lo))))
          (local.set $rb (f32x4.sub
            (f32x4.sub (local.get $tb) (f32x4.mul (local.get $kb) (global.get $ln2Hi)))
            (f32x4.mul (local.get $kb) (global.get $ln2Lo))))
          (local.set $r2a (f32x4.mul (local.get $ra) (local.get $ra)))
          (local.set $r2b (f32x4.mul (local.get $rb) (local.get $rb)))
          (local.set $ea (f32x4.mul
            (f32x4.add
              (f32x4.add (global.get $one) (local.get $ra))
              (f32x4.mul (local.get $r2a)
                (f32x4.add
                  (f32x4.add (global.get $e2) (f32x4.mul (local.get $ra) (global.get $e3)))
                  (f32x4.mul (local.get $r2a)
                    (f32x4.add
                      (f32x4.add (global.get $e4) (f32x4.mul (local.get $ra) (global.get $e5)))
                      (f32x4.mul (local.get $r2a) (global.get $e6)))))))
            (i32x4.shl
              (i32x4.max_s (i32x4.sub (local.get $rounda) (global.get $kOffset)) (global.get $zero))
              (i32.const 23))))
          (local.set $eb (f32x4.mul
            (f32x4.add
              (f32x4.add (global.get $one) (local.get $rb))
              (f32x4.mul (local.get $r2b)
                (f32x4.add
                  (f32x4.add (global.get $e2) (f32x4.mul (local.get $rb) (global.get $e3)))
                  (f32x4.mul (local.get $r2b)
                    (f32x4.add
                      (f32x4.add (global.get $e4) (f32x4.mul (local.get $rb) (global.get $e5)))
                      (f32x4.mul (local.get $r2b) (global.get $e6)))))))
            (i32x4.shl
              (i32x4.max_s (i32x4.sub (local.get $roundb) (global.get $kOffset)) (global.get $zero))
              (i32.const 23))))
          ;; sigmoids
          (local.set $dena (f32x4.add (global.get $one) (local.get $ea)))
          (local.set $denb (f32x4.add (global.get $one) (local.get $eb)))
          (local.set $inva (f32x4.div (global.get $one) (local.get $dena)))
          (local.set $invb (f32x4.div (global.get $one) (local.get $denb)))
          (local.set $smalla (f32x4.mul (local.get $ea) (local.get $inva)))
          (local.set $smallb (f32x4.mul (local.get $eb) (local.get $invb)))
          ;; log1pUnit(e), with 1 + e from above
          (local.set $biga (f32x4.gt (local.get $ea) (global.get $sqrt2m1)))
          (local.set $bigb (f32x4.gt (local.get $eb) (global.get $sqrt2m1)))
          (local.set $fa (f32x4.sub (local.get $ea)
            (v128.and (local.get $biga) (f32x4.mul (local.get $dena) (global.get $half)))))
          (local.set $fb (f32x4.sub (local.get $eb)
            (v128.and (local.get $bigb) (f32x4.mul (local.get $denb) (global.get $half)))))
          (local.set $sa (f32x4.div (local.get $fa) (f32x4.add (local.get $fa) (global.get $two))))
          (local.set $sb (f32x4.div (local.get $fb) (f32x4.add (local.get $fb) (global.get $two))))
          (local.set $za (f32x4.mul (local.get $sa) (local.get $sa)))
          (local.set $zb (f32x4.mul (local.get $sb) (local.get $sb)))
          ;; losses of a and b, added in f32 and widened
          (local.set $relua (f32x4.pmax (global.get $zero) (local.get $xa)))
          (local.set $relub (f32x4.pmax (global.get $zero) (local.get $xb)))
          (local.set $l (f32x4.add
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (local.get $ya) (f32x4.sub (local.get $relua) (local.get $xa)))
                  (f32x4.mul (local.get $nya) (local.get $relua)))
                (f32x4.add
                  (f32x4.add (v128.and (local.get $biga) (global.get $ln2)) (f32x4.add (local.get $sa) (local.get $sa)))
                  (f32x4.mul (f32x4.mul (local.get $sa) (local.get $za))
                    (f32x4.add
                      (f32x4.add (global.get $l3) (f32x4.mul (local.get $za) (global.get $l5)))
                      (f32x4.mul (f32x4.mul (local.get $za) (local.get $za)) (global.get $l7))))))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (local.get $yb) (f32x4.sub (local.get $relub) (local.get $xb)))
                  (f32x4.mul (local.get $nyb) (local.get $relub)))
                (f32x4.add
                  (f32x4.add (v128.and (local.get $bigb) (global.get $ln2)) (f32x4.add (local.get $sb) (local.get $sb)))
                  (f32x4.mul (f32x4.mul (local.get $sb) (local.get $zb))
                    (f32x4.add
                      (f32x4.add (global.get $l3) (f32x4.mul (local.get $zb) (global.get $l5)))
                      (f32x4.mul (f32x4.mul (local.get $zb) (local.get $zb)) (global.get $l7))))))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $l))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $l) (local.get $l)))))
          ;; gradients
          (local.set $pa (v128.bitselect (local.get $inva) (local.get $smalla)
            (f32x4.ge (local.get $xa) (global.get $zero))))
          (local.set $pb (v128.bitselect (local.get $invb) (local.get $smallb)
            (f32x4.ge (local.get $xb) (global.get $zero))))
          (v128.store (i32.add (local.get $g) (local.get $i))
            (f32x4.mul (local.get $sc)
              (f32x4.sub
                (f32x4.mul (local.get $nya) (local.get $pa))
                (f32x4.mul (local.get $ya)
                  (v128.xor (v128.xor (local.get $inva) (local.get $smalla)) (local.get $pa))))))
          (v128.store offset=16 (i32.add (local.get $g) (local.get $i))
            (f32x4.mul (local.get $sc)
              (f32x4.sub
                (f32x4.mul (local.get $nyb) (local.get $pb))
                (f32x4.mul (local.get $yb)
                  (v128.xor (v128.xor (local.get $invb) (local.get $smallb)) (local.get $pb))))))
          (local.set $i (i32.add (local.get $i) (i32.const 32)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $end))))))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    ;; NaN when a target's bits exceed those of 1.0 (outside [0, 1], NaN, or -0): the caller
    ;; then runs the named check, which throws for all but -0.
    (select (f64.const nan)
      (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))
      (v128.any_true (i32x4.gt_u (local.get $ymax) (global.get $oneBits)))))

  ;; Sigmoid focal loss on logits with gamma = 2, two vectors per pass as bceWithLogits (the
  ;; same padding gives loss 0). With p, r, e, inv, small as there, ce the BCE loss,
  ;; q = y r + (1 - y) p and a_t = alphaNeg + (alphaPos - alphaNeg) y: loss = a_t ce q^2,
  ;; g = scale a_t q (q ((1 - y) p - y r) + 2 (1 - 2y) (ce p r)) (no division by q; p r = inv small;
  ;; ce p r is bounded where ce is huge, so it is formed first: 2 ce overflows f32 for |x| > 1.7e38).
  (func $focalGamma2 (param $x i32) (param $y i32) (param $g i32) (param $n i32) (param $scale f32) (param $alphaPos f32) (param $alphaNeg f32)
    (result f64)
    (local $ymax v128)
    (local $i i32) (local $end i32) (local $sc v128) (local $an v128) (local $ad v128) (local $l v128)
    (local $acc0 v128) (local $acc1 v128)
    (local $xa v128) (local $ya v128) (local $nya v128) (local $ta v128) (local $rounda v128)
    (local $ka v128) (local $ra v128) (local $r2a v128) (local $ea v128) (local $dena v128)
    (local $inva v128) (local $smalla v128) (local $pa v128) (local $biga v128) (local $fa v128)
    (local $sa v128) (local $za v128) (local $relua v128) (local $cea v128) (local $yra v128)
    (local $nypa v128) (local $qa v128) (local $atqa v128)
    (local $xb v128) (local $yb v128) (local $nyb v128) (local $tb v128) (local $roundb v128)
    (local $kb v128) (local $rb v128) (local $r2b v128) (local $eb v128) (local $denb v128)
    (local $invb v128) (local $smallb v128) (local $pb v128) (local $bigb v128) (local $fb v128)
    (local $sb v128) (local $zb v128) (local $relub v128) (local $ceb v128) (local $yrb v128)
    (local $nypb v128) (local $qb v128) (local $atqb v128)
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $an (f32x4.splat (local.get $alphaNeg)))
    (local.set $ad (f32x4.splat (f32.sub (local.get $alphaPos) (local.get $alphaNeg))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (if (i32.and (local.get $end) (i32.const 16))
      (then
        (v128.store (i32.add (local.get $x) (local.get $end)) (global.get $padLogit))
        (v128.store (i32.add (local.get $y) (local.get $end)) (global.get $zero))
        (local.set $end (i32.add (local.get $end) (i32.const 16)))))
    (if (local.get $end)
      (then
        (loop $next
          (local.set $xa (v128.load (i32.add (local.get $x) (local.get $i))))
          (local.set $xb (v128.load offset=16 (i32.add (local.get $x) (local.get $i))))
          (local.set $ya (v128.load (i32.add (local.get $y) (local.get $i))))
          (local.set $yb (v128.load offset=16 (i32.add (local.get $y) (local.get $i))))
          (local.set $ymax (i32x4.max_u (local.get $ymax) (i32x4.max_u (local.get $ya) (local.get $yb))))
          (local.set $nya (f32x4.sub (global.get $one) (local.get $ya)))
          (local.set $nyb (f32x4.sub (global.get $one) (local.get $yb)))
          ;; e = expNonPositive(-|x|)
          (local.set $ta (f32x4.pmax (global.get $expLow) (v128.or (local.get $xa) (global.get $signBit))))
          (local.set $tb (f32x4.pmax (global.get $expLow) (v128.or (local.get $xb) (global.get $signBit))))
          (local.set $rounda (f32x4.add (f32x4.mul (local.get $ta) (global.get $log2e)) (global.get $roundMagic)))
          (local.set $roundb (f32x4.add (f32x4.mul (local.get $tb) (global.get $log2e)) (global.get $roundMagic)))
          (local.set $ka (f32x4.sub (local.get $rounda) (global.get $roundMagic)))
          (local.set $kb (f32x4.sub (local.get $roundb) (global.get $roundMagic)))
          (local.set $ra (f32x4.sub
            (f32x4.sub (local.get $ta) (f32x4.mul (local.get $ka) (global.get $ln2Hi)))
            (f32x4.mul (local.get $ka) (global.get $ln2Lo))))
          (local.set $rb (f32x4.sub
            (f32x4.sub (local.get $tb) (f32x4.mul (local.get $kb) (global.get $ln2Hi)))
            (f32x4.mul (local.get $kb) (global.get $ln2Lo))))
          (local.set $r2a (f32x4.mul (local.get $ra) (local.get $ra)))
          (local.set $r2b (f32x4.mul (local.get $rb) (local.get $rb)))
          (local.set $ea (f32x4.mul
            (f32x4.add
              (f32x4.add (global.get $one) (local.get $ra))
              (f32x4.mul (local.get $r2a)
                (f32x4.add
                  (f32x4.add (global.get $e2) (f32x4.mul (local.get $ra) (global.get $e3)))
                  (f32x4.mul (local.get $r2a)
                    (f32x4.add
                      (f32x4.add (global.get $e4) (f32x4.mul (local.get $ra) (global.get $e5)))
                      (f32x4.mul (local.get $r2a) (global.get $e6)))))))
            (i32x4.shl
              (i32x4.max_s (i32x4.sub (local.get $rounda) (global.get $kOffset)) (global.get $zero))
              (i32.const 23))))
          (local.set $eb (f32x4.mul
            (f32x4.add
              (f32x4.add (global.get $one) (local.get $rb))
              (f32x4.mul (local.get $r2b)
                (f32x4.add
                  (f32x4.add (global.get $e2) (f32x4.mul (local.get $rb) (global.get $e3)))
                  (f32x4.mul (local.get $r2b)
                    (f32x4.add
                      (f32x4.add (global.get $e4) (f32x4.mul (local.get $rb) (global.get $e5)))
                      (f32x4.mul (local.get $r2b) (global.get $e6)))))))
            (i32x4.shl
              (i32x4.max_s (i32x4.sub (local.get $roundb) (global.get $kOffset)) (global.get $zero))
              (i32.const 23))))
          ;; sigmoids
          (local.set $dena (f32x4.add (global.get $one) (local.get $ea)))
          (local.set $denb (f32x4.add (global.get $one) (local.get $eb)))
          (local.set $inva (f32x4.div (global.get $one) (local.get $dena)))
          (local.set $invb (f32x4.div (global.get $one) (local.get $denb)))
          (local.set $smalla (f32x4.mul (local.get $ea) (local.get $inva)))
          (local.set $smallb (f32x4.mul (local.get $eb) (local.get $invb)))
          (local.set $pa (v128.bitselect (local.get $inva) (local.get $smalla)
            (f32x4.ge (local.get $xa) (global.get $zero))))
          (local.set $pb (v128.bitselect (local.get $invb) (local.get $smallb)
            (f32x4.ge (local.get $xb) (global.get $zero))))
          ;; log1pUnit(e), with 1 + e from above
          (local.set $biga (f32x4.gt (local.get $ea) (global.get $sqrt2m1)))
          (local.set $bigb (f32x4.gt (local.get $eb) (global.get $sqrt2m1)))
          (local.set $fa (f32x4.sub (local.get $ea)
            (v128.and (local.get $biga) (f32x4.mul (local.get $dena) (global.get $half)))))
          (local.set $fb (f32x4.sub (local.get $eb)
            (v128.and (local.get $bigb) (f32x4.mul (local.get $denb) (global.get $half)))))
          (local.set $sa (f32x4.div (local.get $fa) (f32x4.add (local.get $fa) (global.get $two))))
          (local.set $sb (f32x4.div (local.get $fb) (f32x4.add (local.get $fb) (global.get $two))))
          (local.set $za (f32x4.mul (local.get $sa) (local.get $sa)))
          (local.set $zb (f32x4.mul (local.get $sb) (local.get $sb)))
          (local.set $relua (f32x4.pmax (global.get $zero) (local.get $xa)))
          (local.set $relub (f32x4.pmax (global.get $zero) (local.get $xb)))
          ;; ce = the BCE loss
          (local.set $cea (f32x4.add
            (f32x4.add
              (f32x4.mul (local.get $ya) (f32x4.sub (local.get $relua) (local.get $xa)))
              (f32x4.mul (local.get $nya) (local.get $relua)))
            (f32x4.add
              (f32x4.add (v128.and (local.get $biga) (global.get $ln2)) (f32x4.add (local.get $sa) (local.get $sa)))
              (f32x4.mul (f32x4.mul (local.get $sa) (local.get $za))
                (f32x4.add
                  (f32x4.add (global.get $l3) (f32x4.mul (local.get $za) (global.get $l5)))
                  (f32x4.mul (f32x4.mul (local.get $za) (local.get $za)) (global.get $l7)))))))
          (local.set $ceb (f32x4.add
            (f32x4.add
              (f32x4.mul (local.get $yb) (f32x4.sub (local.get $relub) (local.get $xb)))
              (f32x4.mul (local.get $nyb) (local.get $relub)))
            (f32x4.add
              (f32x4.add (v128.and (local.get $bigb) (global.get $ln2)) (f32x4.add (local.get $sb) (local.get $sb)))
              (f32x4.mul (f32x4.mul (local.get $sb) (local.get $zb))
                (f32x4.add
                  (f32x4.add (global.get $l3) (f32x4.mul (local.get $zb) (global.get $l5)))
                  (f32x4.mul (f32x4.mul (local.get $zb) (local.get $zb)) (global.get $l7)))))))
          ;; yr = y r, nyp = (1 - y) p, q = yr + nyp, atq = a_t q
          (local.set $yra (f32x4.mul (local.get $ya)
            (v128.xor (v128.xor (local.get $inva) (local.get $smalla)) (local.get $pa))))
          (local.set $yrb (f32x4.mul (local.get $yb)
            (v128.xor (v128.xor (local.get $invb) (local.get $smallb)) (local.get $pb))))
          (local.set $nypa (f32x4.mul (local.get $nya) (local.get $pa)))
          (local.set $nypb (f32x4.mul (local.get $nyb) (local.get $pb)))
          (local.set $qa (f32x4.add (local.get $yra) (local.get $nypa)))
          (local.set $qb (f32x4.add (local.get $yrb) (local.get $nypb)))
          (local.set $atqa (f32x4.mul (local.get $qa) (f32x4.add (local.get $an) (f32x4.mul (local.get $ad) (local.get $ya)))))
          (local.set $atqb (f32x4.mul (local.get $qb) (f32x4.add (local.get $an) (f32x4.mul (local.get $ad) (local.get $yb)))))
          (local.set $l (f32x4.add
            (f32x4.mul (f32x4.mul (local.get $atqa) (local.get $qa)) (local.get $cea))
            (f32x4.mul (f32x4.mul (local.get $atqb) (local.get $qb)) (local.get $ceb))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $l))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $l) (local.get $l)))))
          (v128.store (i32.add (local.get $g) (local.get $i))
            (f32x4.mul
              (f32x4.mul (local.get $sc) (local.get $atqa))
              (f32x4.add
                (f32x4.mul (local.get $qa) (f32x4.sub (local.get $nypa) (local.get $yra)))
                (f32x4.mul
                  (f32x4.mul (global.get $two) (f32x4.sub (local.get $nya) (local.get $ya)))
                  (f32x4.mul (local.get $cea) (f32x4.mul (local.get $inva) (local.get $smalla)))))))
          (v128.store offset=16 (i32.add (local.get $g) (local.get $i))
            (f32x4.mul
              (f32x4.mul (local.get $sc) (local.get $atqb))
              (f32x4.add
                (f32x4.mul (local.get $qb) (f32x4.sub (local.get $nypb) (local.get $yrb)))
                (f32x4.mul
                  (f32x4.mul (global.get $two) (f32x4.sub (local.get $nyb) (local.get $yb)))
                  (f32x4.mul (local.get $ceb) (f32x4.mul (local.get $invb) (local.get $smallb)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 32)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $end))))))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    ;; NaN when a target's bits exceed those of 1.0 (outside [0, 1], NaN, or -0): the caller
    ;; then runs the named check, which throws for all but -0.
    (select (f64.const nan)
      (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))
      (v128.any_true (i32x4.gt_u (local.get $ymax) (global.get $oneBits)))))

  ;; Squared error, four vectors per pass: d = x - y, loss d^2 (the four vectors' squares added
  ;; in f32 before they are widened), g = scale2 d (scale2 = 2 scale). n is padded with x = y = 0
  ;; (loss 0) to a multiple of 16. In f32, d^2 overflows for |d| > 1.8e19 and loses precision
  ;; (subnormal) for |d| < 1.1e-19: float32.ts falls back to float64 JavaScript when the sum is
  ;; infinite or below 1e-30 per element.
  (func $squaredError (param $x i32) (param $y i32) (param $g i32) (param $n i32) (param $scale2 f32) (result f64)
    (local $i i32) (local $end i32) (local $s v128) (local $l v128) (local $acc0 v128) (local $acc1 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local.set $s (f32x4.splat (local.get $scale2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $padded
      (loop $pad
        (br_if $padded (i32.eqz (i32.and (local.get $end) (i32.const 63))))
        (v128.store (i32.add (local.get $x) (local.get $end)) (global.get $zero))
        (v128.store (i32.add (local.get $y) (local.get $end)) (global.get $zero))
        (local.set $end (i32.add (local.get $end) (i32.const 16)))
        (br $pad)))
    (if (local.get $end)
      (then
        (loop $next
          (local.set $d0 (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $y) (local.get $i)))))
          (local.set $d1 (f32x4.sub (v128.load offset=16 (i32.add (local.get $x) (local.get $i))) (v128.load offset=16 (i32.add (local.get $y) (local.get $i)))))
          (local.set $d2 (f32x4.sub (v128.load offset=32 (i32.add (local.get $x) (local.get $i))) (v128.load offset=32 (i32.add (local.get $y) (local.get $i)))))
          (local.set $d3 (f32x4.sub (v128.load offset=48 (i32.add (local.get $x) (local.get $i))) (v128.load offset=48 (i32.add (local.get $y) (local.get $i)))))
          (local.set $l (f32x4.add
            (f32x4.add (f32x4.mul (local.get $d0) (local.get $d0)) (f32x4.mul (local.get $d1) (local.get $d1)))
            (f32x4.add (f32x4.mul (local.get $d2) (local.get $d2)) (f32x4.mul (local.get $d3) (local.get $d3)))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $l))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $l) (local.get $l)))))
          (v128.store (i32.add (local.get $g) (local.get $i)) (f32x4.mul (local.get $s) (local.get $d0)))
          (v128.store offset=16 (i32.add (local.get $g) (local.get $i)) (f32x4.mul (local.get $s) (local.get $d1)))
          (v128.store offset=32 (i32.add (local.get $g) (local.get $i)) (f32x4.mul (local.get $s) (local.get $d2)))
          (v128.store offset=48 (i32.add (local.get $g) (local.get $i)) (f32x4.mul (local.get $s) (local.get $d3)))
          (local.set $i (i32.add (local.get $i) (i32.const 64)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $end))))))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))

  ;; Huber, four vectors per pass: d = x - y, a = |d|, m = min(a, delta), loss m (a - m/2);
  ;; g = clamp(scale d, -c, c) with c = |scale| delta (= scale clamp(d, -delta, delta) for either
  ;; sign of scale; c rounded once from float64, so clipped gradients are the float64 ones
  ;; rounded). Padding, overflow and underflow as squaredError.
  (func $huber (param $x i32) (param $y i32) (param $g i32) (param $n i32) (param $delta f32) (param $scale f32) (param $clip f32) (result f64)
    (local $i i32) (local $end i32) (local $dv v128) (local $s v128) (local $c v128) (local $nc v128)
    (local $l v128) (local $acc0 v128) (local $acc1 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128)
    (local.set $dv (f32x4.splat (local.get $delta)))
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $c (f32x4.splat (local.get $clip)))
    (local.set $nc (f32x4.neg (local.get $c)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $padded
      (loop $pad
        (br_if $padded (i32.eqz (i32.and (local.get $end) (i32.const 63))))
        (v128.store (i32.add (local.get $x) (local.get $end)) (global.get $zero))
        (v128.store (i32.add (local.get $y) (local.get $end)) (global.get $zero))
        (local.set $end (i32.add (local.get $end) (i32.const 16)))
        (br $pad)))
    (if (local.get $end)
      (then
        (loop $next
          (local.set $d0 (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $y) (local.get $i)))))
          (local.set $d1 (f32x4.sub (v128.load offset=16 (i32.add (local.get $x) (local.get $i))) (v128.load offset=16 (i32.add (local.get $y) (local.get $i)))))
          (local.set $d2 (f32x4.sub (v128.load offset=32 (i32.add (local.get $x) (local.get $i))) (v128.load offset=32 (i32.add (local.get $y) (local.get $i)))))
          (local.set $d3 (f32x4.sub (v128.load offset=48 (i32.add (local.get $x) (local.get $i))) (v128.load offset=48 (i32.add (local.get $y) (local.get $i)))))
          (local.set $a0 (v128.and (local.get $d0) (global.get $absMask)))
          (local.set $a1 (v128.and (local.get $d1) (global.get $absMask)))
          (local.set $a2 (v128.and (local.get $d2) (global.get $absMask)))
          (local.set $a3 (v128.and (local.get $d3) (global.get $absMask)))
          (local.set $m0 (f32x4.pmin (local.get $a0) (local.get $dv)))
          (local.set $m1 (f32x4.pmin (local.get $a1) (local.get $dv)))
          (local.set $m2 (f32x4.pmin (local.get $a2) (local.get $dv)))
          (local.set $m3 (f32x4.pmin (local.get $a3) (local.get $dv)))
          (local.set $l (f32x4.add
            (f32x4.add
              (f32x4.mul (local.get $m0) (f32x4.sub (local.get $a0) (f32x4.mul (global.get $half) (local.get $m0))))
              (f32x4.mul (local.get $m1) (f32x4.sub (local.get $a1) (f32x4.mul (global.get $half) (local.get $m1)))))
            (f32x4.add
              (f32x4.mul (local.get $m2) (f32x4.sub (local.get $a2) (f32x4.mul (global.get $half) (local.get $m2))))
              (f32x4.mul (local.get $m3) (f32x4.sub (local.get $a3) (f32x4.mul (global.get $half) (local.get $m3)))))))
          (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $l))))
          (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $l) (local.get $l)))))
          (v128.store (i32.add (local.get $g) (local.get $i))
            (f32x4.pmax (f32x4.pmin (f32x4.mul (local.get $s) (local.get $d0)) (local.get $c)) (local.get $nc)))
          (v128.store offset=16 (i32.add (local.get $g) (local.get $i))
            (f32x4.pmax (f32x4.pmin (f32x4.mul (local.get $s) (local.get $d1)) (local.get $c)) (local.get $nc)))
          (v128.store offset=32 (i32.add (local.get $g) (local.get $i))
            (f32x4.pmax (f32x4.pmin (f32x4.mul (local.get $s) (local.get $d2)) (local.get $c)) (local.get $nc)))
          (v128.store offset=48 (i32.add (local.get $g) (local.get $i))
            (f32x4.pmax (f32x4.pmin (f32x4.mul (local.get $s) (local.get $d3)) (local.get $c)) (local.get $nc)))
          (local.set $i (i32.add (local.get $i) (i32.const 64)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $end))))))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))

  ;; The entry point (on the calling thread or a pool worker): loss `kind` (0 bceWithLogits,
  ;; 1 focalGamma2, 2 squaredError, 3 huber; a, b, c its scalars in that order) over consecutive
  ;; chunks of 16384 elements of [0, n) (the last one shorter), each chunk's total stored as an
  ;; f64 at totals + 8j, so that the caller adds them in one order for every thread count.
  ;; x and y advance with the chunk; g too when gMoves is 1 (with 0, every chunk writes its
  ;; gradient over the same scratch block: a value-only call).
  (func (export "chunks") (param $kind i32) (param $x i32) (param $y i32) (param $g i32) (param $n i32)
    (param $totals i32) (param $gMoves i32) (param $a f32) (param $b f32) (param $c f32)
    (local $m i32) (local $bytes i32)
    (loop $next
      (local.set $m (select (i32.const 16384) (local.get $n) (i32.gt_u (local.get $n) (i32.const 16384))))
      (f64.store (local.get $totals)
        (if (result f64) (i32.lt_u (local.get $kind) (i32.const 2))
          (then
            (if (result f64) (i32.eqz (local.get $kind))
              (then (call $bceWithLogits (local.get $x) (local.get $y) (local.get $g) (local.get $m) (local.get $a)))
              (else (call $focalGamma2 (local.get $x) (local.get $y) (local.get $g) (local.get $m)
                (local.get $a) (local.get $b) (local.get $c)))))
          (else
            (if (result f64) (i32.eq (local.get $kind) (i32.const 2))
              (then (call $squaredError (local.get $x) (local.get $y) (local.get $g) (local.get $m) (local.get $a)))
              (else (call $huber (local.get $x) (local.get $y) (local.get $g) (local.get $m)
                (local.get $a) (local.get $b) (local.get $c)))))))
      (local.set $bytes (i32.shl (local.get $m) (i32.const 2)))
      (local.set $x (i32.add (local.get $x) (local.get $bytes)))
      (local.set $y (i32.add (local.get $y) (local.get $bytes)))
      (local.set $g (i32.add (local.get $g) (i32.mul (local.get $gMoves) (local.get $bytes))))
      (local.set $totals (i32.add (local.get $totals) (i32.const 8)))
      (local.set $n (i32.sub (local.get $n) (local.get $m)))
      (br_if $next (i32.gt_s (local.get $n) (i32.const 0)))))

  ;; Range checks over [x, x + 4n) for validation fast paths: 1 when every one of the n
  ;; values passes, 0 otherwise (NaN fails both). A lane mask is and-ed across the whole chunk.
  (func (export "allInUnitInterval") (param $x i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $v v128) (local $ok v128)
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok)
          (v128.and (f32x4.ge (local.get $v) (global.get $zero)) (f32x4.le (local.get $v) (global.get $one)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (i32x4.all_true (local.get $ok)))

  ;; Finite values are those with v - v = 0 (NaN and infinities give NaN).
  (func (export "allFinite") (param $x i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $v v128) (local $ok v128)
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok)
          (f32x4.eq (f32x4.sub (local.get $v) (local.get $v)) (global.get $zero))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (i32x4.all_true (local.get $ok)))
)
