;; float32 SIMD kernels for the common case of some losses (reduced value, no upstream array):
;; value and gradient in one pass. The binary losses on logits compute in f32x4 (exp and log1p
;; by polynomials, a few ulps); the regression losses widen to f64x2 and repeat the JavaScript
;; loop's float64 operations, so their gradients are the same bits.
;;
;; Memory: one fixed 192 KiB block, never grown (so JavaScript's views stay valid):
;;   [0, 64 KiB) input x, [64 KiB, 128 KiB) target y, [128 KiB, 192 KiB) gradient g,
;; i.e. up to 16384 elements per call; the caller copies a chunk in, calls, and copies g out.
;; n is a multiple of 4. Each kernel returns the sum of the element losses, accumulated in
;; float64 (each f32x4 of losses is widened to two f64x2 before it is added).
;; Constants are immutable globals: V8 loads those with one instruction, where a v128.const
;; inside the loop costs three. Polynomials use Estrin's scheme for short dependency chains.
(module
  (memory (export "memory") 3 3)

  (global $zero v128 (v128.const f32x4 0 0 0 0))
  (global $one v128 (v128.const f32x4 1 1 1 1))
  (global $two v128 (v128.const f32x4 2 2 2 2))
  (global $half v128 (v128.const f32x4 0.5 0.5 0.5 0.5))
  (global $half64 v128 (v128.const f64x2 0.5 0.5))
  (global $signBit v128 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
  ;; exp
  (global $expLow v128 (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))
  (global $log2e v128 (v128.const f32x4 1.44269504089 1.44269504089 1.44269504089 1.44269504089))
  (global $roundMagic v128 (v128.const f32x4 12582912 12582912 12582912 12582912))
  (global $ln2Hi v128 (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
  (global $ln2Lo v128 (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
  (global $e2 v128 (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
  (global $e3 v128 (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
  (global $e4 v128 (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
  (global $e5 v128 (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
  (global $e6 v128 (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
  (global $e7 v128 (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
  (global $bias v128 (v128.const i32x4 127 127 127 127))
  ;; log1p
  (global $sqrt2m1 v128 (v128.const f32x4 0.41421356 0.41421356 0.41421356 0.41421356))
  (global $ln2 v128 (v128.const f32x4 0.69314718 0.69314718 0.69314718 0.69314718))
  (global $l3 v128 (v128.const f32x4 0.66666667 0.66666667 0.66666667 0.66666667))
  (global $l5 v128 (v128.const f32x4 0.4 0.4 0.4 0.4))
  (global $l7 v128 (v128.const f32x4 0.28571429 0.28571429 0.28571429 0.28571429))
  (global $l9 v128 (v128.const f32x4 0.22222222 0.22222222 0.22222222 0.22222222))

  ;; e^t for t <= 0; 0 below t = -87.3 (where e^t < 1.2e-38 leaves the normal float32 range).
  ;; t = k ln2 + r with k = round(t / ln2) (adding 1.5 * 2^23 rounds, and leaves k in the low
  ;; mantissa bits), r in [-ln2/2, ln2/2] (ln2 in two parts, Cody-Waite); e^r by Cephes' expf
  ;; polynomial 1 + r + r^2 (e2 + e3 r + ... + e7 r^5); 2^k built in the exponent bits. ~1 ulp.
  (func $expNonPositive (param $t v128) (result v128)
    (local $kb v128) (local $k v128) (local $r v128) (local $r2 v128) (local $inRange v128)
    (local.set $inRange (f32x4.ge (local.get $t) (global.get $expLow)))
    (local.set $t (f32x4.pmax (global.get $expLow) (local.get $t)))
    (local.set $kb (f32x4.add (f32x4.mul (local.get $t) (global.get $log2e)) (global.get $roundMagic)))
    (local.set $k (f32x4.sub (local.get $kb) (global.get $roundMagic)))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $t) (f32x4.mul (local.get $k) (global.get $ln2Hi)))
      (f32x4.mul (local.get $k) (global.get $ln2Lo))))
    (local.set $r2 (f32x4.mul (local.get $r) (local.get $r)))
    (v128.and (local.get $inRange)
      (f32x4.mul
        (f32x4.add
          (f32x4.add (global.get $one) (local.get $r))
          (f32x4.mul (local.get $r2)
            (f32x4.add
              (f32x4.add
                (f32x4.add (global.get $e2) (f32x4.mul (local.get $r) (global.get $e3)))
                (f32x4.mul (local.get $r2)
                  (f32x4.add (global.get $e4) (f32x4.mul (local.get $r) (global.get $e5)))))
              (f32x4.mul (f32x4.mul (local.get $r2) (local.get $r2))
                (f32x4.add (global.get $e6) (f32x4.mul (local.get $r) (global.get $e7)))))))
        (i32x4.shl (i32x4.add (local.get $kb) (global.get $bias)) (i32.const 23)))))

  ;; log(1 + e) for e in [0, 1]. Above sqrt2 - 1, 1 + e = 2 (1 + f) with f = (e - 1)/2, so that
  ;; f lies in [-0.293, 0.414] either way; then log1p(f) = 2 atanh(s), s = f / (2 + f),
  ;; |s| <= 0.172, by its odd series to s^9 (truncation below 2e-9 relative):
  ;; 2s + s z (2/3 + 2/5 z + z^2 (2/7 + 2/9 z)), z = s^2. Tiny e keep their full relative
  ;; precision (nothing is added to 1 before the logarithm). A few ulps.
  (func $log1pUnit (param $e v128) (result v128)
    (local $big v128) (local $f v128) (local $s v128) (local $z v128)
    (local.set $big (f32x4.gt (local.get $e) (global.get $sqrt2m1)))
    (local.set $f (v128.bitselect
      (f32x4.mul (f32x4.sub (local.get $e) (global.get $one)) (global.get $half))
      (local.get $e)
      (local.get $big)))
    (local.set $s (f32x4.div (local.get $f) (f32x4.add (local.get $f) (global.get $two))))
    (local.set $z (f32x4.mul (local.get $s) (local.get $s)))
    (f32x4.add
      (f32x4.add (v128.and (local.get $big) (global.get $ln2)) (f32x4.add (local.get $s) (local.get $s)))
      (f32x4.mul (f32x4.mul (local.get $s) (local.get $z))
        (f32x4.add
          (f32x4.add (global.get $l3) (f32x4.mul (local.get $z) (global.get $l5)))
          (f32x4.mul (f32x4.mul (local.get $z) (local.get $z))
            (f32x4.add (global.get $l7) (f32x4.mul (local.get $z) (global.get $l9))))))))

  ;; Adds the four lanes of $l (float32) to the float64 pair $acc.
  (func $widenAdd (param $acc v128) (param $l v128) (result v128)
    (f64x2.add
      (f64x2.add (local.get $acc) (f64x2.promote_low_f32x4 (local.get $l)))
      (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $l) (local.get $l)))))

  ;; Binary cross-entropy on logits. With e = e^-|x|, p = sigma(x), r = sigma(-x) (1/(1+e) and
  ;; e/(1+e) chosen by the sign): loss = y relu(-x) + (1 - y) relu(x) + log1p(e) (non-negative
  ;; terms, no cancellation), g = scale ((1 - y) p - y r).
  (func (export "bceWithLogits") (param $n i32) (param $scale f32) (result f64)
    (local $i i32) (local $end i32) (local $x v128) (local $y v128) (local $ny v128)
    (local $e v128) (local $inv v128) (local $small v128) (local $relu v128)
    (local $p v128) (local $r v128) (local $l v128) (local $s v128) (local $acc v128)
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (local.get $i)))
        (local.set $y (v128.load offset=65536 (local.get $i)))
        (local.set $ny (f32x4.sub (global.get $one) (local.get $y)))
        ;; -|x| sets the sign bit; r swaps inv and small wherever p took the other (xor).
        (local.set $e (call $expNonPositive (v128.or (local.get $x) (global.get $signBit))))
        (local.set $inv (f32x4.div (global.get $one) (f32x4.add (global.get $one) (local.get $e))))
        (local.set $small (f32x4.mul (local.get $e) (local.get $inv)))
        (local.set $p (v128.bitselect (local.get $inv) (local.get $small)
          (f32x4.ge (local.get $x) (global.get $zero))))
        (local.set $r (v128.xor (v128.xor (local.get $inv) (local.get $small)) (local.get $p)))
        (local.set $relu (f32x4.pmax (global.get $zero) (local.get $x)))
        (local.set $l (f32x4.add
          (f32x4.add
            (f32x4.mul (local.get $y) (f32x4.sub (local.get $relu) (local.get $x)))
            (f32x4.mul (local.get $ny) (local.get $relu)))
          (call $log1pUnit (local.get $e))))
        (local.set $acc (call $widenAdd (local.get $acc) (local.get $l)))
        (v128.store offset=131072 (local.get $i)
          (f32x4.mul (local.get $s)
            (f32x4.sub (f32x4.mul (local.get $ny) (local.get $p)) (f32x4.mul (local.get $y) (local.get $r)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))

  ;; Sigmoid focal loss on logits with gamma = 2. With p, r, e as above, ce the BCE term,
  ;; q = y r + (1 - y) p and a_t = alphaPos y + alphaNeg (1 - y): loss = a_t ce q^2,
  ;; g = scale a_t q (q ((1 - y) p - y r) + 2 (1 - 2y) ce p r) (no division by q).
  (func (export "focalGamma2") (param $n i32) (param $scale f32) (param $alphaPos f32) (param $alphaNeg f32)
    (result f64)
    (local $i i32) (local $end i32) (local $x v128) (local $y v128) (local $ny v128)
    (local $e v128) (local $inv v128) (local $small v128) (local $relu v128)
    (local $p v128) (local $r v128) (local $ce v128) (local $q v128) (local $at v128)
    (local $s v128) (local $ap v128) (local $an v128) (local $acc v128)
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $ap (f32x4.splat (local.get $alphaPos)))
    (local.set $an (f32x4.splat (local.get $alphaNeg)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (local.get $i)))
        (local.set $y (v128.load offset=65536 (local.get $i)))
        (local.set $ny (f32x4.sub (global.get $one) (local.get $y)))
        ;; -|x| sets the sign bit; r swaps inv and small wherever p took the other (xor).
        (local.set $e (call $expNonPositive (v128.or (local.get $x) (global.get $signBit))))
        (local.set $inv (f32x4.div (global.get $one) (f32x4.add (global.get $one) (local.get $e))))
        (local.set $small (f32x4.mul (local.get $e) (local.get $inv)))
        (local.set $p (v128.bitselect (local.get $inv) (local.get $small)
          (f32x4.ge (local.get $x) (global.get $zero))))
        (local.set $r (v128.xor (v128.xor (local.get $inv) (local.get $small)) (local.get $p)))
        (local.set $relu (f32x4.pmax (global.get $zero) (local.get $x)))
        (local.set $ce (f32x4.add
          (f32x4.add
            (f32x4.mul (local.get $y) (f32x4.sub (local.get $relu) (local.get $x)))
            (f32x4.mul (local.get $ny) (local.get $relu)))
          (call $log1pUnit (local.get $e))))
        (local.set $q (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.mul (local.get $ny) (local.get $p))))
        (local.set $at (f32x4.add (f32x4.mul (local.get $ap) (local.get $y)) (f32x4.mul (local.get $an) (local.get $ny))))
        (local.set $acc (call $widenAdd (local.get $acc)
          (f32x4.mul (f32x4.mul (local.get $at) (local.get $ce)) (f32x4.mul (local.get $q) (local.get $q)))))
        (v128.store offset=131072 (local.get $i)
          (f32x4.mul
            (f32x4.mul (f32x4.mul (local.get $s) (local.get $at)) (local.get $q))
            (f32x4.add
              (f32x4.mul (local.get $q)
                (f32x4.sub (f32x4.mul (local.get $ny) (local.get $p)) (f32x4.mul (local.get $y) (local.get $r))))
              (f32x4.mul
                (f32x4.mul
                  (f32x4.mul (global.get $two) (f32x4.sub (local.get $ny) (local.get $y)))
                  (local.get $ce))
                (f32x4.mul (local.get $p) (local.get $r))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
  ;; Squared error in float64: d = x - y (exact), loss d^2, g = scale2 d (scale2 = 2 scale).
  (func (export "squaredError") (param $n i32) (param $scale2 f64) (result f64)
    (local $i i32) (local $end i32) (local $x v128) (local $y v128) (local $dl v128) (local $dh v128)
    (local $s v128) (local $acc0 v128) (local $acc1 v128)
    (local.set $s (f64x2.splat (local.get $scale2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (local.get $i)))
        (local.set $y (v128.load offset=65536 (local.get $i)))
        (local.set $dl (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $y))))
        (local.set $dh (f64x2.sub
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y)))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $dl) (local.get $dl))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $dh) (local.get $dh))))
        (v128.store offset=131072 (local.get $i)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.mul (local.get $s) (local.get $dl)))
            (f32x4.demote_f64x2_zero (f64x2.mul (local.get $s) (local.get $dh)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))

  ;; Huber in float64, huber.ts's branch-free expressions operation for operation, with
  ;; relu(t) = (t + |t|)/2: a = |d|, m = a - relu(a - delta), loss m (a - m/2);
  ;; g = scale (d - relu(d - delta) + relu(-d - delta)). Written out for both f64x2 halves
  ;; (V8 does not inline calls, which cost more than this arithmetic).
  (func (export "huber") (param $n i32) (param $delta f64) (param $scale f64) (result f64)
    (local $i i32) (local $end i32) (local $x v128) (local $y v128) (local $dl v128) (local $dh v128)
    (local $dv v128) (local $s v128) (local $acc v128) (local $a v128) (local $m v128) (local $t v128) (local $u v128)
    (local.set $dv (f64x2.splat (local.get $delta)))
    (local.set $s (f64x2.splat (local.get $scale)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (local.get $i)))
        (local.set $y (v128.load offset=65536 (local.get $i)))
        (local.set $dl (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $y))))
        (local.set $dh (f64x2.sub
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y)))))
        ;; loss into $acc, then the gradient in place of d
        (local.set $a (f64x2.abs (local.get $dl)))
        (local.set $t (f64x2.sub (local.get $a) (local.get $dv)))
        (local.set $m (f64x2.sub (local.get $a)
          (f64x2.mul (global.get $half64) (f64x2.add (local.get $t) (f64x2.abs (local.get $t))))))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (local.get $m) (f64x2.sub (local.get $a) (f64x2.mul (global.get $half64) (local.get $m))))))
        (local.set $t (f64x2.sub (local.get $dl) (local.get $dv)))
        (local.set $u (f64x2.sub (f64x2.neg (local.get $dl)) (local.get $dv)))
        (local.set $dl (f64x2.mul (local.get $s)
          (f64x2.add
            (f64x2.sub (local.get $dl) (f64x2.mul (global.get $half64) (f64x2.add (local.get $t) (f64x2.abs (local.get $t)))))
            (f64x2.mul (global.get $half64) (f64x2.add (local.get $u) (f64x2.abs (local.get $u)))))))
        (local.set $a (f64x2.abs (local.get $dh)))
        (local.set $t (f64x2.sub (local.get $a) (local.get $dv)))
        (local.set $m (f64x2.sub (local.get $a)
          (f64x2.mul (global.get $half64) (f64x2.add (local.get $t) (f64x2.abs (local.get $t))))))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (local.get $m) (f64x2.sub (local.get $a) (f64x2.mul (global.get $half64) (local.get $m))))))
        (local.set $t (f64x2.sub (local.get $dh) (local.get $dv)))
        (local.set $u (f64x2.sub (f64x2.neg (local.get $dh)) (local.get $dv)))
        (local.set $dh (f64x2.mul (local.get $s)
          (f64x2.add
            (f64x2.sub (local.get $dh) (f64x2.mul (global.get $half64) (f64x2.add (local.get $t) (f64x2.abs (local.get $t)))))
            (f64x2.mul (global.get $half64) (f64x2.add (local.get $u) (f64x2.abs (local.get $u)))))))
        (v128.store offset=131072 (local.get $i)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $dl)) (f32x4.demote_f64x2_zero (local.get $dh))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
;; Range checks over the input region for validation fast paths: 1 when every one of the n
  ;; values passes, 0 otherwise (NaN fails both). A lane mask is and-ed across the whole chunk.
  (func (export "allInUnitInterval") (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $v v128) (local $ok v128)
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $ok (v128.and (local.get $ok)
          (v128.and (f32x4.ge (local.get $v) (global.get $zero)) (f32x4.le (local.get $v) (global.get $one)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (i32x4.all_true (local.get $ok)))

  ;; Finite values are those with v - v = 0 (NaN and infinities give NaN).
  (func (export "allFinite") (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $v v128) (local $ok v128)
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.load (local.get $i)))
        (local.set $ok (v128.and (local.get $ok)
          (f32x4.eq (f32x4.sub (local.get $v) (local.get $v)) (global.get $zero))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (i32x4.all_true (local.get $ok)))
)
