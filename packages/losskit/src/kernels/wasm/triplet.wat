;; float32 SIMD kernel of the triplet margin loss for p = 2 without swap: per row of D values,
;; the squared distances sPos = Σ (a − p + ε)², sNeg = Σ (a − n + ε)² in float64 lanes, the loss
;; max(0, m + √sPos − √sNeg) and, when asked, the gradient rows
;;   ga = cp·vp − cn·vn,  gp = −cp·vp,  gn = cn·vn,  vp = a − p + ε, vn = a − n + ε,
;; cp = w/√sPos, cn = w/√sNeg (w the row's gradient weight), each in float64 and rounded once to
;; float32: the JavaScript loop's operations, so a gradient has its bits wherever the two agree on
;; the squared sums (which they add in another order, so they may differ in the last float64
;; bit). Differences of float32 values are widened before subtracting: the hinge's cancellation
;; then costs no float32 accuracy.
;;
;; Every gradient element of the chunk is written: zeros for a row whose hinge is negative, whose
;; weight is 0, or whose squared sums leave (1e-300, 1e300) (an infinite or NaN sum included).
;; Such a sum marks the row's loss −1: the caller takes its rescaling path there (adding to the
;; zeros) or, where the row holds a value that is not finite, reports it.
;;
;; Memory: imported (shared where the engine allows, for the thread pool). desc holds eight i32
;; byte offsets: the rows of anchor a, positive p and negative n (rows × D float32 each), the
;; gradient rows ga, gp, gn (out, same layout), the upstream u of each row (f64, read when perRow:
;; w = scale·u) and the loss of each row (out, f64, −1 outside the safe range). triplet.ts points
;; them at scratch regions (rows·D ≤ 16384, copied in and out) or at resident arrays (in place,
;; rows split over the pool's workers). Any D ≥ 1. Pairs of float32 values are read with
;; v128.load64_zero and widened by f64x2.promote_low_f32x4 (cvtps2pd from memory on x64); rows
;; need not be aligned.
(module
  (import "env" "memory" (memory 1 16384 shared))

  (func (export "tripletRows")
    (param $desc i32) (param $rows i32) (param $d i32) (param $margin f64) (param $eps f64) (param $scale f64)
    (param $perRow i32) (param $withGrad i32)
    (local $r i32) (local $start i32) (local $end i32) (local $end4 i32) (local $i i32) (local $bytes i32)
    (local $e v128) (local $sp0 v128) (local $sp1 v128) (local $sn0 v128) (local $sn1 v128)
    (local $a v128) (local $vp v128) (local $vn v128) (local $cp v128) (local $cn v128)
    (local $x f64) (local $y f64) (local $sPos f64) (local $sNeg f64) (local $dPos f64) (local $dNeg f64)
    (local $h f64) (local $w f64)
    (local $pa i32) (local $pp i32) (local $pn i32) (local $pga i32) (local $pgp i32) (local $pgn i32)
    (local $pup i32) (local $ploss i32)
    (local.set $pa (i32.load (local.get $desc)))
    (local.set $pp (i32.load offset=4 (local.get $desc)))
    (local.set $pn (i32.load offset=8 (local.get $desc)))
    (local.set $pga (i32.load offset=12 (local.get $desc)))
    (local.set $pgp (i32.load offset=16 (local.get $desc)))
    (local.set $pgn (i32.load offset=20 (local.get $desc)))
    (local.set $pup (i32.load offset=24 (local.get $desc)))
    (local.set $ploss (i32.load offset=28 (local.get $desc)))
    (local.set $e (f64x2.splat (local.get $eps)))
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $start (i32.mul (local.get $r) (local.get $bytes)))
        (local.set $end (i32.add (local.get $start) (local.get $bytes)))
        (local.set $end4 (i32.add (local.get $start) (i32.and (local.get $bytes) (i32.const -16))))

        ;; pass 1: two f64x2 accumulators per sum (elements 4k, 4k + 1 and 4k + 2, 4k + 3)
        (local.set $sp0 (v128.const i64x2 0 0))
        (local.set $sp1 (v128.const i64x2 0 0))
        (local.set $sn0 (v128.const i64x2 0 0))
        (local.set $sn1 (v128.const i64x2 0 0))
        (local.set $i (local.get $start))
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.ge_u (local.get $i) (local.get $end4)))
            (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pa) (local.get $i)))))
            (local.set $vp (f64x2.add (f64x2.sub (local.get $a)
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pp) (local.get $i))))) (local.get $e)))
            (local.set $vn (f64x2.add (f64x2.sub (local.get $a)
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pn) (local.get $i))))) (local.get $e)))
            (local.set $sp0 (f64x2.add (local.get $sp0) (f64x2.mul (local.get $vp) (local.get $vp))))
            (local.set $sn0 (f64x2.add (local.get $sn0) (f64x2.mul (local.get $vn) (local.get $vn))))
            (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $pa) (local.get $i)))))
            (local.set $vp (f64x2.add (f64x2.sub (local.get $a)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $pp) (local.get $i))))) (local.get $e)))
            (local.set $vn (f64x2.add (f64x2.sub (local.get $a)
              (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $pn) (local.get $i))))) (local.get $e)))
            (local.set $sp1 (f64x2.add (local.get $sp1) (f64x2.mul (local.get $vp) (local.get $vp))))
            (local.set $sn1 (f64x2.add (local.get $sn1) (f64x2.mul (local.get $vn) (local.get $vn))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $quads)))
        ;; a last pair (D mod 4 ≥ 2)
        (if (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $end))
          (then
            (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pa) (local.get $i)))))
            (local.set $vp (f64x2.add (f64x2.sub (local.get $a)
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pp) (local.get $i))))) (local.get $e)))
            (local.set $vn (f64x2.add (f64x2.sub (local.get $a)
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pn) (local.get $i))))) (local.get $e)))
            (local.set $sp0 (f64x2.add (local.get $sp0) (f64x2.mul (local.get $vp) (local.get $vp))))
            (local.set $sn0 (f64x2.add (local.get $sn0) (f64x2.mul (local.get $vn) (local.get $vn))))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))))
        (local.set $sp0 (f64x2.add (local.get $sp0) (local.get $sp1)))
        (local.set $sn0 (f64x2.add (local.get $sn0) (local.get $sn1)))
        (local.set $sPos (f64.add (f64x2.extract_lane 0 (local.get $sp0)) (f64x2.extract_lane 1 (local.get $sp0))))
        (local.set $sNeg (f64.add (f64x2.extract_lane 0 (local.get $sn0)) (f64x2.extract_lane 1 (local.get $sn0))))
        ;; a last value (D odd)
        (if (i32.lt_u (local.get $i) (local.get $end))
          (then
            (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $pa) (local.get $i)))))
            (local.set $y (f64.add (f64.sub (local.get $x)
              (f64.promote_f32 (f32.load (i32.add (local.get $pp) (local.get $i))))) (local.get $eps)))
            (local.set $sPos (f64.add (local.get $sPos) (f64.mul (local.get $y) (local.get $y))))
            (local.set $y (f64.add (f64.sub (local.get $x)
              (f64.promote_f32 (f32.load (i32.add (local.get $pn) (local.get $i))))) (local.get $eps)))
            (local.set $sNeg (f64.add (local.get $sNeg) (f64.mul (local.get $y) (local.get $y))))))

        (block $rowDone
          (block $zeroRow
            ;; outside the safe range (NaN included): loss −1, zero gradient
            (if (i32.eqz (i32.and
                  (i32.and (f64.lt (local.get $sPos) (f64.const 1e300)) (f64.lt (local.get $sNeg) (f64.const 1e300)))
                  (i32.and (f64.gt (local.get $sPos) (f64.const 1e-300)) (f64.gt (local.get $sNeg) (f64.const 1e-300)))))
              (then
                (f64.store (i32.add (local.get $ploss) (i32.shl (local.get $r) (i32.const 3))) (f64.const -1))
                (br $zeroRow)))
            (local.set $dPos (f64.sqrt (local.get $sPos)))
            (local.set $dNeg (f64.sqrt (local.get $sNeg)))
            (local.set $h (f64.sub (f64.add (local.get $margin) (local.get $dPos)) (local.get $dNeg)))
            (f64.store (i32.add (local.get $ploss) (i32.shl (local.get $r) (i32.const 3)))
              (f64.max (local.get $h) (f64.const 0)))
            (br_if $rowDone (i32.eqz (local.get $withGrad)))
            (local.set $w (local.get $scale))
            (if (local.get $perRow)
              (then (local.set $w (f64.mul (local.get $scale)
                (f64.load (i32.add (local.get $pup) (i32.shl (local.get $r) (i32.const 3))))))))
            (br_if $zeroRow (i32.or (f64.lt (local.get $h) (f64.const 0)) (f64.eq (local.get $w) (f64.const 0))))

            ;; pass 2: the three gradient rows, four values (two pairs) at a time, then a last pair
            (local.set $cp (f64x2.splat (f64.div (local.get $w) (local.get $dPos))))
            (local.set $cn (f64x2.splat (f64.div (local.get $w) (local.get $dNeg))))
            (local.set $i (local.get $start))
            (local.set $end4 (i32.add (local.get $start) (i32.and (local.get $bytes) (i32.const -16))))
            (block $gradQuadsDone
              (loop $gradQuads
                (br_if $gradQuadsDone (i32.ge_u (local.get $i) (local.get $end4)))
                (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pa) (local.get $i)))))
                (local.set $vp (f64x2.mul (local.get $cp) (f64x2.add (f64x2.sub (local.get $a)
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pp) (local.get $i))))) (local.get $e))))
                (local.set $vn (f64x2.mul (local.get $cn) (f64x2.add (f64x2.sub (local.get $a)
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pn) (local.get $i))))) (local.get $e))))
                (v128.store64_lane 0 (i32.add (local.get $pga) (local.get $i))
                  (f32x4.demote_f64x2_zero (f64x2.sub (local.get $vp) (local.get $vn))))
                (v128.store64_lane 0 (i32.add (local.get $pgp) (local.get $i))
                  (f32x4.demote_f64x2_zero (f64x2.neg (local.get $vp))))
                (v128.store64_lane 0 (i32.add (local.get $pgn) (local.get $i))
                  (f32x4.demote_f64x2_zero (local.get $vn)))
                (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $pa) (local.get $i)))))
                (local.set $vp (f64x2.mul (local.get $cp) (f64x2.add (f64x2.sub (local.get $a)
                  (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $pp) (local.get $i))))) (local.get $e))))
                (local.set $vn (f64x2.mul (local.get $cn) (f64x2.add (f64x2.sub (local.get $a)
                  (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $pn) (local.get $i))))) (local.get $e))))
                (v128.store64_lane offset=8 0 (i32.add (local.get $pga) (local.get $i))
                  (f32x4.demote_f64x2_zero (f64x2.sub (local.get $vp) (local.get $vn))))
                (v128.store64_lane offset=8 0 (i32.add (local.get $pgp) (local.get $i))
                  (f32x4.demote_f64x2_zero (f64x2.neg (local.get $vp))))
                (v128.store64_lane offset=8 0 (i32.add (local.get $pgn) (local.get $i))
                  (f32x4.demote_f64x2_zero (local.get $vn)))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $gradQuads)))
            (if (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $end))
              (then
                (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pa) (local.get $i)))))
                (local.set $vp (f64x2.mul (local.get $cp) (f64x2.add (f64x2.sub (local.get $a)
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pp) (local.get $i))))) (local.get $e))))
                (local.set $vn (f64x2.mul (local.get $cn) (f64x2.add (f64x2.sub (local.get $a)
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $pn) (local.get $i))))) (local.get $e))))
                (v128.store64_lane 0 (i32.add (local.get $pga) (local.get $i))
                  (f32x4.demote_f64x2_zero (f64x2.sub (local.get $vp) (local.get $vn))))
                (v128.store64_lane 0 (i32.add (local.get $pgp) (local.get $i))
                  (f32x4.demote_f64x2_zero (f64x2.neg (local.get $vp))))
                (v128.store64_lane 0 (i32.add (local.get $pgn) (local.get $i))
                  (f32x4.demote_f64x2_zero (local.get $vn)))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))))
            (if (i32.lt_u (local.get $i) (local.get $end))
              (then
                (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $pa) (local.get $i)))))
                (local.set $y (f64.mul (f64x2.extract_lane 0 (local.get $cp)) (f64.add (f64.sub (local.get $x)
                  (f64.promote_f32 (f32.load (i32.add (local.get $pp) (local.get $i))))) (local.get $eps))))
                (local.set $x (f64.mul (f64x2.extract_lane 0 (local.get $cn)) (f64.add (f64.sub (local.get $x)
                  (f64.promote_f32 (f32.load (i32.add (local.get $pn) (local.get $i))))) (local.get $eps))))
                (f32.store (i32.add (local.get $pga) (local.get $i)) (f32.demote_f64 (f64.sub (local.get $y) (local.get $x))))
                (f32.store (i32.add (local.get $pgp) (local.get $i)) (f32.demote_f64 (f64.neg (local.get $y))))
                (f32.store (i32.add (local.get $pgn) (local.get $i)) (f32.demote_f64 (local.get $x)))))
            (br $rowDone))
          ;; a row without gradient: zeros
          (if (local.get $withGrad)
            (then
              (memory.fill (i32.add (local.get $start) (local.get $pga)) (i32.const 0) (local.get $bytes))
              (memory.fill (i32.add (local.get $start) (local.get $pgp)) (i32.const 0) (local.get $bytes))
              (memory.fill (i32.add (local.get $start) (local.get $pgn)) (i32.const 0) (local.get $bytes)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
