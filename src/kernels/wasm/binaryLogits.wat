;; float32 SIMD kernels (f32x4) for the binary losses on logits: value and gradient in one pass.
;;
;; Memory: one fixed 192 KiB block, never grown (so JavaScript's views stay valid):
;;   [0, 64 KiB) input x, [64 KiB, 128 KiB) target y, [128 KiB, 192 KiB) gradient g,
;; i.e. up to 16384 elements per call; the caller copies a chunk in, calls, and copies g out.
;; n is a multiple of 4. Each kernel returns the sum of the element losses, accumulated in
;; float64 (each f32x4 of losses is widened to two f64x2 before it is added).
(module
  (memory (export "memory") 3 3)

  ;; e^t for t <= 0, clamped at t = -87 (e^-87 ~ 1.6e-38, the smallest normal scale; below it the
  ;; result only has to be negligible). t = k ln2 + r with k = round(t / ln2) and r in
  ;; [-ln2/2, ln2/2] (ln2 split in two, Cody-Waite); e^r by Cephes' degree-7 expf polynomial;
  ;; 2^k built in the exponent bits. About 1 ulp.
  (func $expNonPositive (param $t v128) (result v128)
    (local $k v128) (local $r v128) (local $r2 v128) (local $p v128)
    (local.set $t (f32x4.pmax (local.get $t) (v128.const f32x4 -87 -87 -87 -87)))
    (local.set $k (f32x4.nearest
      (f32x4.mul (local.get $t) (v128.const f32x4 1.44269504089 1.44269504089 1.44269504089 1.44269504089))))
    (local.set $r (f32x4.sub
      (f32x4.sub (local.get $t)
        (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
      (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $r2 (f32x4.mul (local.get $r) (local.get $r)))
    ;; p = 1 + r + r^2 (c2 + r (c3 + r (c4 + r (c5 + r (c6 + r c7)))))
    (local.set $p
      (f32x4.add (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)
        (f32x4.mul (local.get $r) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))))
    (local.set $p (f32x4.add (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)
      (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)
      (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)
      (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)
      (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add
      (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $r))
      (f32x4.mul (local.get $r2) (local.get $p))))
    (f32x4.mul (local.get $p)
      (i32x4.shl
        (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127))
        (i32.const 23))))

  ;; log(1 + e) for e in [0, 1]. Above sqrt2 - 1, 1 + e = 2 (1 + f) with f = (e - 1)/2, so that
  ;; f lies in [-0.293, 0.414] either way; then log1p(f) = 2 atanh(s), s = f / (2 + f),
  ;; |s| <= 0.172, by its odd series to s^9 (truncation below 2e-9 relative). Tiny e keep their
  ;; full relative precision (nothing is added to 1 before the logarithm). A few ulps.
  (func $log1pUnit (param $e v128) (result v128)
    (local $big v128) (local $f v128) (local $s v128) (local $z v128)
    (local.set $big (f32x4.gt (local.get $e)
      (v128.const f32x4 0.41421356 0.41421356 0.41421356 0.41421356)))
    (local.set $f (v128.bitselect
      (f32x4.mul (f32x4.sub (local.get $e) (v128.const f32x4 1 1 1 1)) (v128.const f32x4 0.5 0.5 0.5 0.5))
      (local.get $e)
      (local.get $big)))
    (local.set $s (f32x4.div (local.get $f)
      (f32x4.add (local.get $f) (v128.const f32x4 2 2 2 2))))
    (local.set $z (f32x4.mul (local.get $s) (local.get $s)))
    ;; 2s + s z (2/3 + z (2/5 + z (2/7 + z 2/9)))
    (f32x4.add
      (v128.and (local.get $big) (v128.const f32x4 0.69314718 0.69314718 0.69314718 0.69314718))
      (f32x4.add
        (f32x4.add (local.get $s) (local.get $s))
        (f32x4.mul (f32x4.mul (local.get $s) (local.get $z))
          (f32x4.add (v128.const f32x4 0.66666667 0.66666667 0.66666667 0.66666667)
            (f32x4.mul (local.get $z)
              (f32x4.add (v128.const f32x4 0.4 0.4 0.4 0.4)
                (f32x4.mul (local.get $z)
                  (f32x4.add (v128.const f32x4 0.28571429 0.28571429 0.28571429 0.28571429)
                    (f32x4.mul (local.get $z) (v128.const f32x4 0.22222222 0.22222222 0.22222222 0.22222222)))))))))))

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
    (local $e v128) (local $inv v128) (local $small v128) (local $pos v128)
    (local $p v128) (local $r v128) (local $l v128) (local $s v128) (local $acc v128)
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (local.get $i)))
        (local.set $y (v128.load offset=65536 (local.get $i)))
        (local.set $ny (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $y)))
        (local.set $e (call $expNonPositive (f32x4.neg (f32x4.abs (local.get $x)))))
        (local.set $inv (f32x4.div (v128.const f32x4 1 1 1 1)
          (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
        (local.set $small (f32x4.mul (local.get $e) (local.get $inv)))
        (local.set $pos (f32x4.ge (local.get $x) (v128.const f32x4 0 0 0 0)))
        (local.set $p (v128.bitselect (local.get $inv) (local.get $small) (local.get $pos)))
        (local.set $r (v128.bitselect (local.get $small) (local.get $inv) (local.get $pos)))
        (local.set $l (f32x4.add
          (f32x4.add
            (f32x4.mul (local.get $y) (f32x4.pmax (f32x4.neg (local.get $x)) (v128.const f32x4 0 0 0 0)))
            (f32x4.mul (local.get $ny) (f32x4.pmax (local.get $x) (v128.const f32x4 0 0 0 0))))
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
    (local $e v128) (local $inv v128) (local $small v128) (local $pos v128)
    (local $p v128) (local $r v128) (local $ce v128) (local $q v128) (local $at v128)
    (local $s v128) (local $acc v128)
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (local.get $i)))
        (local.set $y (v128.load offset=65536 (local.get $i)))
        (local.set $ny (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $y)))
        (local.set $e (call $expNonPositive (f32x4.neg (f32x4.abs (local.get $x)))))
        (local.set $inv (f32x4.div (v128.const f32x4 1 1 1 1)
          (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e))))
        (local.set $small (f32x4.mul (local.get $e) (local.get $inv)))
        (local.set $pos (f32x4.ge (local.get $x) (v128.const f32x4 0 0 0 0)))
        (local.set $p (v128.bitselect (local.get $inv) (local.get $small) (local.get $pos)))
        (local.set $r (v128.bitselect (local.get $small) (local.get $inv) (local.get $pos)))
        (local.set $ce (f32x4.add
          (f32x4.add
            (f32x4.mul (local.get $y) (f32x4.pmax (f32x4.neg (local.get $x)) (v128.const f32x4 0 0 0 0)))
            (f32x4.mul (local.get $ny) (f32x4.pmax (local.get $x) (v128.const f32x4 0 0 0 0))))
          (call $log1pUnit (local.get $e))))
        (local.set $q (f32x4.add (f32x4.mul (local.get $y) (local.get $r)) (f32x4.mul (local.get $ny) (local.get $p))))
        (local.set $at (f32x4.add
          (f32x4.mul (f32x4.splat (local.get $alphaPos)) (local.get $y))
          (f32x4.mul (f32x4.splat (local.get $alphaNeg)) (local.get $ny))))
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
                  (f32x4.mul (v128.const f32x4 2 2 2 2) (f32x4.sub (local.get $ny) (local.get $y)))
                  (local.get $ce))
                (f32x4.mul (local.get $p) (local.get $r))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
)
