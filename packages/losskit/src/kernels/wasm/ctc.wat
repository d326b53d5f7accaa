;; float64 kernel of the CTC forward–backward recursion in probability space, each frame rescaled
;; to sum to 1 (Graves et al. 2006, §4.1): losses/sequence/ctcScaled.ts written out in
;; WebAssembly, operation for operation (the same additions and multiplications in the same
;; order, and math.ts's table-driven `expNonPositive` with its tables), so that its results are
;; bitwise those of the JavaScript kernel. ctcScaled.ts documents the recursion and its precision
;; bound; ctc.ts (beside this file) lays out the memory and computes each loss from what this
;; kernel leaves (a logarithm, which WebAssembly lacks).
;;
;; A call of `samples` runs on every thread of the pool at once: the threads claim samples from
;; the counter at desc (an atomic add of 1), and each sample is computed by one thread in its own
;; scratch, so results do not depend on which thread claims which sample.
;;
;; Descriptor (i32 at desc + offset): 0 counter, 4 samples, 8 C, 12 bytes per input value (4: f32,
;; 8: f64), 16 input address, 20 bytes per gradient value (4, 8, or 0: no gradient), 24 gradient
;; address, 28 logits (1) or log-probabilities (0), 32 blank, 36 tables (2^(j/64) for j < 64,
;; then 2^-i for i < 1100, f64), 40 records, 48 labels-to-skip offset, 52 scratch, 56 scratch bytes
;; per thread, 60 alpha, 64 beta, 68 emitted, 72 occupation, 76 row inverses (offsets within a
;; thread's scratch; the emission probabilities p_t(c) are at its start).
;; Record of sample j (64 bytes at records + 64j): +0 Tₙ, +4 L = 2Sₙ + 1, +8 the element index of
;; its first frame in the input and gradient, +12 address of its extended labels y' (i32, L + 2
;; of them, then at +desc[48] whether each may be entered from two before, f64 0 or 1), +16
;; gradient weight (f64); out: +24 exponent, +32 scale, +40 final (f64: p(y) = scale·2^exponent·final),
;; +48 status (i32: 0 the sample was declined, 1 done).
(module
  (import "env" "memory" (memory 1 16384 shared))

  (global $tiny f64 (f64.const 0x1p-1020))
  (global $budget f64 (f64.const 0x1p-60))
  (global $foldBelow f64 (f64.const 0x1p-500))
  (global $foldBy f64 (f64.const 0x1p+500))
  ;; expNonPositive's constants: the clamp −745.2, 64 / ln 2, ln 2 / 64 in two parts, 1/6, 1/24, 1/120
  (global $expClamp f64 (f64.const -0x1.749999999999ap+9))
  (global $expInvStep f64 (f64.const 0x1.71547652b82fep+6))
  (global $expStepHi f64 (f64.const 0x1.62e42fee00000p-7))
  (global $expStepLo f64 (f64.const 0x1.a39ef35793c76p-39))
  (global $c6 f64 (f64.const 0x1.5555555555555p-3))
  (global $c24 f64 (f64.const 0x1.5555555555555p-5))
  (global $c120 f64 (f64.const 0x1.1111111111111p-7))

  ;; This thread's share: samples claimed one at a time until none is left.
  (func (export "samples") (param $desc i32) (param $slot i32)
    (local $j i32) (local $scratch i32)
    (local.set $scratch
      (i32.add (i32.load offset=52 (local.get $desc))
               (i32.mul (local.get $slot) (i32.load offset=56 (local.get $desc)))))
    (block $done
      (loop $claim
        (local.set $j (i32.atomic.rmw.add (local.get $desc) (i32.const 1)))
        (br_if $done (i32.ge_u (local.get $j) (i32.load offset=4 (local.get $desc))))
        (call $sample (local.get $desc)
          (i32.add (i32.load offset=40 (local.get $desc)) (i32.shl (local.get $j) (i32.const 6)))
          (local.get $scratch))
        (br $claim))))

  ;; One sample: emissions, forward pass, and the backward pass where the gradient is asked for
  ;; (a weight other than 0) or a cell was lost (ctcScaled.ts's `ctcSampleLossScaled`).
  (func $sample (param $desc i32) (param $rec i32) (param $scratch i32)
    (local $forward i32) (local $writes i32)
    (call $emissions (local.get $desc) (local.get $rec) (local.get $scratch))
    (local.set $forward (call $forward (local.get $desc) (local.get $rec) (local.get $scratch)))
    (if (i32.eqz (local.get $forward))
      (then (i32.store offset=48 (local.get $rec) (i32.const 0)) (return)))
    (local.set $writes
      (i32.and (i32.ne (i32.load offset=20 (local.get $desc)) (i32.const 0))
               (f64.ne (f64.load offset=16 (local.get $rec)) (f64.const 0))))
    (if (i32.and (i32.eqz (local.get $writes)) (i32.eq (local.get $forward) (i32.const 1)))
      (then (i32.store offset=48 (local.get $rec) (i32.const 1)) (return)))
    (i32.store offset=48 (local.get $rec)
      (call $backward (local.get $desc) (local.get $rec) (local.get $scratch) (local.get $writes))))

  ;; p_t(c) for t < Tₙ into the scratch's start (row stride C): softmax(x_t) for logits, exp(x_t)
  ;; for log-probabilities (x_t − 0, the same value), each exp math.ts's expNonPositive.
  (func $emissions (param $desc i32) (param $rec i32) (param $out i32)
    (local $C i32) (local $xBytes i32) (local $logits i32) (local $fractions i32) (local $powers i32)
    (local $t i32) (local $steps i32) (local $row i32) (local $c i32) (local $a i32) (local $k i32)
    (local $m f64) (local $v f64) (local $sum f64) (local $inverse f64)
    (local $clamped f64) (local $kd f64) (local $r f64) (local $r2 f64)
    (local.set $C (i32.load offset=8 (local.get $desc)))
    (local.set $xBytes (i32.load offset=12 (local.get $desc)))
    (local.set $logits (i32.load offset=28 (local.get $desc)))
    (local.set $fractions (i32.load offset=36 (local.get $desc)))
    (local.set $powers (i32.add (local.get $fractions) (i32.const 512)))
    (local.set $steps (i32.load (local.get $rec)))
    ;; $row: the byte address of x_t
    (local.set $row
      (i32.add (i32.load offset=16 (local.get $desc))
               (i32.mul (i32.load offset=8 (local.get $rec)) (local.get $xBytes))))
    (block $framesDone
      (loop $frames
        (br_if $framesDone (i32.ge_u (local.get $t) (local.get $steps)))
        (local.set $m (f64.const 0))
        (if (local.get $logits)
          (then
            (local.set $m
              (if (result f64) (i32.eq (local.get $xBytes) (i32.const 4))
                (then (f64.promote_f32 (f32.load (local.get $row))))
                (else (f64.load (local.get $row)))))
            (local.set $c (i32.const 1))
            (block $maxDone
              (loop $max
                (br_if $maxDone (i32.ge_u (local.get $c) (local.get $C)))
                (local.set $a (i32.add (local.get $row) (i32.mul (local.get $c) (local.get $xBytes))))
                (local.set $v
                  (if (result f64) (i32.eq (local.get $xBytes) (i32.const 4))
                    (then (f64.promote_f32 (f32.load (local.get $a))))
                    (else (f64.load (local.get $a)))))
                (if (f64.gt (local.get $v) (local.get $m)) (then (local.set $m (local.get $v))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $max)))))
        (local.set $sum (f64.const 0))
        (local.set $c (i32.const 0))
        (block $expDone
          (loop $exp
            (br_if $expDone (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $a (i32.add (local.get $row) (i32.mul (local.get $c) (local.get $xBytes))))
            (local.set $v
              (f64.sub
                (if (result f64) (i32.eq (local.get $xBytes) (i32.const 4))
                  (then (f64.promote_f32 (f32.load (local.get $a))))
                  (else (f64.load (local.get $a))))
                (local.get $m)))
            ;; e^v (v ≤ 0): 2^(k>>6)·2^((k&63)/64)·e^r, k = trunc(64v/ln 2 − 0.5), e^r by degree 5
            (local.set $clamped (f64.max (local.get $v) (global.get $expClamp)))
            (local.set $k
              (i32.trunc_sat_f64_s
                (f64.sub (f64.mul (local.get $clamped) (global.get $expInvStep)) (f64.const 0.5))))
            (local.set $kd (f64.convert_i32_s (local.get $k)))
            (local.set $r
              (f64.sub (f64.sub (local.get $clamped) (f64.mul (local.get $kd) (global.get $expStepHi)))
                       (f64.mul (local.get $kd) (global.get $expStepLo))))
            (local.set $r2 (f64.mul (local.get $r) (local.get $r)))
            (local.set $v
              (f64.mul
                (f64.mul
                  (f64.load (i32.add (local.get $powers)
                    (i32.shl (i32.sub (i32.const 0) (i32.shr_s (local.get $k) (i32.const 6))) (i32.const 3))))
                  (f64.load (i32.add (local.get $fractions)
                    (i32.shl (i32.and (local.get $k) (i32.const 63)) (i32.const 3)))))
                (f64.add
                  (f64.add (f64.const 1) (local.get $r))
                  (f64.mul (local.get $r2)
                    (f64.add
                      (f64.add (f64.const 0.5) (f64.mul (local.get $r) (global.get $c6)))
                      (f64.mul (local.get $r2)
                        (f64.add (global.get $c24) (f64.mul (local.get $r) (global.get $c120)))))))))
            (f64.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $v))
            (local.set $sum (f64.add (local.get $sum) (local.get $v)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $exp)))
        (if (local.get $logits)
          (then
            (local.set $inverse (f64.div (f64.const 1) (local.get $sum)))
            (local.set $c (i32.const 0))
            (block $scaleDone
              (loop $scale
                (br_if $scaleDone (i32.ge_u (local.get $c) (local.get $C)))
                (local.set $a (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))))
                (f64.store (local.get $a) (f64.mul (f64.load (local.get $a)) (local.get $inverse)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $scale)))))
        (local.set $row (i32.add (local.get $row) (i32.mul (local.get $C) (local.get $xBytes))))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $C) (i32.const 3))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $frames))))

  ;; The first cell of the band at frame t (bandStart) and the end of it (bandEnd), in cells.
  (func $bandStart (param $t i32) (param $steps i32) (param $width i32) (result i32)
    (local $s i32)
    (local.set $s (i32.sub (local.get $width) (i32.shl (i32.sub (local.get $steps) (local.get $t)) (i32.const 1))))
    (select (local.get $s) (i32.const 0) (i32.gt_s (local.get $s) (i32.const 0))))
  (func $bandEnd (param $t i32) (param $width i32) (result i32)
    (local $s i32)
    (local.set $s (i32.add (i32.shl (local.get $t) (i32.const 1)) (i32.const 2)))
    (select (local.get $s) (local.get $width) (i32.lt_s (local.get $s) (local.get $width))))

  ;; The forward pass (ctcScaled.ts's `scaledForward`): 0 where it declines, else 1, or 2 when a
  ;; cell below TINY was set to 0; writes exponent, scale and final into the record.
  (func $forward (param $desc i32) (param $rec i32) (param $scratch i32) (result i32)
    (local $C i32) (local $steps i32) (local $width i32) (local $stride i32) (local $ext i32)
    (local $skip i32) (local $alpha i32) (local $rowInverse i32) (local $t i32) (local $s i32)
    (local $start i32) (local $stop i32) (local $emit i32) (local $prev i32) (local $cur i32)
    (local $lost i32) (local $a i32)
    (local $exponent f64) (local $scale f64) (local $rowSum f64) (local $inverse f64) (local $into f64)
    (local $v f64) (local $final f64)
    (local.set $C (i32.load offset=8 (local.get $desc)))
    (local.set $steps (i32.load (local.get $rec)))
    (local.set $width (i32.load offset=4 (local.get $rec)))
    (local.set $stride (i32.shl (i32.add (local.get $width) (i32.const 2)) (i32.const 3)))
    (local.set $ext (i32.load offset=12 (local.get $rec)))
    (local.set $skip (i32.add (local.get $ext) (i32.load offset=48 (local.get $desc))))
    (local.set $alpha (i32.add (local.get $scratch) (i32.load offset=60 (local.get $desc))))
    (local.set $rowInverse (i32.add (local.get $scratch) (i32.load offset=76 (local.get $desc))))
    (local.set $scale (f64.const 1))
    ;; $cur: the address of cell 0 of row t (two padding cells before it); $prev that of row t − 1
    (local.set $cur (i32.add (local.get $alpha) (i32.const 16)))
    (local.set $emit (local.get $scratch))
    (block $framesDone
      (loop $frames
        (br_if $framesDone (i32.ge_u (local.get $t) (local.get $steps)))
        (local.set $start (call $bandStart (local.get $t) (local.get $steps) (local.get $width)))
        (local.set $stop (call $bandEnd (local.get $t) (local.get $width)))
        (f64.store offset=0 (i32.sub (local.get $cur) (i32.const 16)) (f64.const 0))
        (f64.store offset=0 (i32.sub (local.get $cur) (i32.const 8)) (f64.const 0))
        (if (i32.lt_s (local.get $stop) (local.get $width))
          (then (f64.store (i32.add (local.get $cur) (i32.shl (local.get $stop) (i32.const 3))) (f64.const 0))))
        (if (i32.lt_s (i32.add (local.get $stop) (i32.const 1)) (local.get $width))
          (then (f64.store offset=8 (i32.add (local.get $cur) (i32.shl (local.get $stop) (i32.const 3))) (f64.const 0))))
        (local.set $rowSum (f64.const 0))
        (local.set $s (local.get $start))
        (if (i32.eqz (local.get $t))
          (then
            (block $cellsDone
              (loop $cells
                (br_if $cellsDone (i32.ge_s (local.get $s) (local.get $stop)))
                (local.set $v (f64.load (i32.add (local.get $emit)
                    (i32.shl (i32.load (i32.add (local.get $ext) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 3)))))
                (if (f64.lt (local.get $v) (global.get $tiny))
                  (then (local.set $lost (i32.const 1)) (local.set $v (f64.const 0))))
                (f64.store (i32.add (local.get $cur) (i32.shl (local.get $s) (i32.const 3))) (local.get $v))
                (local.set $rowSum (f64.add (local.get $rowSum) (local.get $v)))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $cells))))
          (else
            (local.set $inverse
              (f64.load (i32.add (local.get $rowInverse) (i32.shl (i32.sub (local.get $t) (i32.const 1)) (i32.const 3)))))
            (block $cellsDone
              (loop $cells
                (br_if $cellsDone (i32.ge_s (local.get $s) (local.get $stop)))
                (local.set $a (i32.add (local.get $prev) (i32.shl (local.get $s) (i32.const 3))))
                (local.set $into
                  (f64.mul
                    (f64.add
                      (f64.add (f64.load (local.get $a)) (f64.load (i32.sub (local.get $a) (i32.const 8))))
                      (f64.mul (f64.load (i32.add (local.get $skip) (i32.shl (local.get $s) (i32.const 3))))
                               (f64.load (i32.sub (local.get $a) (i32.const 16)))))
                    (local.get $inverse)))
                (local.set $v
                  (f64.mul (local.get $into) (f64.load (i32.add (local.get $emit)
                    (i32.shl (i32.load (i32.add (local.get $ext) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 3))))))
                (if (f64.lt (local.get $v) (global.get $tiny))
                  (then
                    (if (f64.gt (local.get $into) (f64.const 0)) (then (local.set $lost (i32.const 1))))
                    (local.set $v (f64.const 0))))
                (f64.store (i32.add (local.get $cur) (i32.shl (local.get $s) (i32.const 3))) (local.get $v))
                (local.set $rowSum (f64.add (local.get $rowSum) (local.get $v)))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $cells)))))
        (if (f64.eq (local.get $rowSum) (f64.const 0)) (then (return (i32.const 0))))
        (f64.store (i32.add (local.get $rowInverse) (i32.shl (local.get $t) (i32.const 3)))
          (f64.div (f64.const 1) (local.get $rowSum)))
        (if (f64.lt (local.get $rowSum) (global.get $foldBelow))
          (then
            (local.set $scale (f64.mul (local.get $scale) (f64.mul (local.get $rowSum) (global.get $foldBy))))
            (local.set $exponent (f64.add (local.get $exponent) (f64.const -500))))
          (else (local.set $scale (f64.mul (local.get $scale) (local.get $rowSum)))))
        (block $folded
          (loop $fold
            (br_if $folded (i32.eqz (f64.lt (local.get $scale) (global.get $foldBelow))))
            (local.set $scale (f64.mul (local.get $scale) (global.get $foldBy)))
            (local.set $exponent (f64.add (local.get $exponent) (f64.const -500)))
            (br $fold)))
        (local.set $prev (local.get $cur))
        (local.set $cur (i32.add (local.get $cur) (local.get $stride)))
        (local.set $emit (i32.add (local.get $emit) (i32.shl (local.get $C) (i32.const 3))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $frames)))
    ;; $prev: cell 0 of the last row
    (local.set $final
      (f64.mul
        (if (result f64) (i32.gt_s (local.get $width) (i32.const 1))
          (then
            (f64.add
              (f64.load (i32.add (local.get $prev) (i32.shl (i32.sub (local.get $width) (i32.const 1)) (i32.const 3))))
              (f64.load (i32.add (local.get $prev) (i32.shl (i32.sub (local.get $width) (i32.const 2)) (i32.const 3))))))
          (else (f64.load (local.get $prev))))
        (f64.load (i32.add (local.get $rowInverse) (i32.shl (i32.sub (local.get $steps) (i32.const 1)) (i32.const 3))))))
    (if (f64.eq (local.get $final) (f64.const 0)) (then (return (i32.const 0))))
    (f64.store offset=24 (local.get $rec) (local.get $exponent))
    (f64.store offset=32 (local.get $rec) (local.get $scale))
    (f64.store offset=40 (local.get $rec) (local.get $final))
    (i32.add (i32.const 1) (local.get $lost)))

  ;; The backward pass (ctcScaled.ts's `scaledBackward`), writing the gradient when $writes:
  ;; 1, or 0 where the error bound passes the budget.
  (func $backward (param $desc i32) (param $rec i32) (param $scratch i32) (param $writes i32) (result i32)
    (local $C i32) (local $steps i32) (local $width i32) (local $stride i32) (local $ext i32)
    (local $skip i32) (local $alpha i32) (local $beta i32) (local $emitted i32) (local $occupation i32)
    (local $t i32) (local $s i32) (local $stop i32) (local $c i32) (local $cur i32) (local $next i32)
    (local $row i32) (local $emit i32) (local $a i32) (local $out i32) (local $gBytes i32) (local $logits i32)
    (local $weight f64) (local $cellsPerFrame f64) (local $errorBound f64) (local $total f64)
    (local $betaSum f64) (local $blankOccupation f64) (local $b f64) (local $v f64) (local $inverse f64)
    (local.set $C (i32.load offset=8 (local.get $desc)))
    (local.set $gBytes (i32.load offset=20 (local.get $desc)))
    (local.set $logits (i32.load offset=28 (local.get $desc)))
    (local.set $steps (i32.load (local.get $rec)))
    (local.set $width (i32.load offset=4 (local.get $rec)))
    (local.set $stride (i32.shl (i32.add (local.get $width) (i32.const 2)) (i32.const 3)))
    (local.set $ext (i32.load offset=12 (local.get $rec)))
    (local.set $skip (i32.add (local.get $ext) (i32.load offset=48 (local.get $desc))))
    (local.set $weight (f64.load offset=16 (local.get $rec)))
    (local.set $alpha (i32.add (local.get $scratch) (i32.load offset=60 (local.get $desc))))
    (local.set $beta (i32.add (local.get $scratch) (i32.load offset=64 (local.get $desc))))
    (local.set $emitted (i32.add (local.get $scratch) (i32.load offset=68 (local.get $desc))))
    (local.set $occupation (i32.add (local.get $scratch) (i32.load offset=72 (local.get $desc))))
    (memory.fill (local.get $emitted) (i32.const 0) (local.get $stride))
    (local.set $cellsPerFrame
      (f64.mul (f64.convert_i32_s (i32.shl (local.get $width) (i32.const 1))) (global.get $tiny)))
    (local.set $t (i32.sub (local.get $steps) (i32.const 1)))
    (local.set $cur
      (i32.add (local.get $beta) (i32.mul (i32.and (local.get $t) (i32.const 1)) (local.get $stride))))
    (f64.store (i32.add (local.get $cur) (i32.shl (i32.sub (local.get $width) (i32.const 1)) (i32.const 3)))
      (f64.const 1))
    (if (i32.gt_s (local.get $width) (i32.const 1))
      (then
        (f64.store (i32.add (local.get $cur) (i32.shl (i32.sub (local.get $width) (i32.const 2)) (i32.const 3)))
          (f64.const 1))))
    (loop $frames
      (local.set $cur
        (i32.add (local.get $beta) (i32.mul (i32.and (local.get $t) (i32.const 1)) (local.get $stride))))
      (local.set $emit (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $t) (local.get $C)) (i32.const 3))))
      (local.set $row
        (i32.add (i32.add (local.get $alpha) (i32.mul (local.get $t) (local.get $stride))) (i32.const 16)))
      (memory.fill (local.get $occupation) (i32.const 0) (i32.shl (local.get $C) (i32.const 3)))
      (local.set $total (f64.const 0))
      (local.set $betaSum (f64.const 0))
      (local.set $blankOccupation (f64.const 0))
      (local.set $s (call $bandStart (local.get $t) (local.get $steps) (local.get $width)))
      (local.set $stop (call $bandEnd (local.get $t) (local.get $width)))
      (block $cellsDone
        (loop $cells
          (br_if $cellsDone (i32.ge_s (local.get $s) (local.get $stop)))
          (local.set $b (f64.load (i32.add (local.get $cur) (i32.shl (local.get $s) (i32.const 3)))))
          (local.set $v
            (f64.mul (f64.load (i32.add (local.get $row) (i32.shl (local.get $s) (i32.const 3)))) (local.get $b)))
          (if (i32.and (local.get $s) (i32.const 1))
            (then
              (local.set $a
                (i32.add (local.get $occupation)
                  (i32.shl (i32.load (i32.add (local.get $ext) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 3))))
              (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $v))))
            (else (local.set $blankOccupation (f64.add (local.get $blankOccupation) (local.get $v)))))
          (local.set $total (f64.add (local.get $total) (local.get $v)))
          (local.set $betaSum (f64.add (local.get $betaSum) (local.get $b)))
          (f64.store (i32.add (local.get $emitted) (i32.shl (local.get $s) (i32.const 3)))
            (f64.mul (local.get $b) (f64.load (i32.add (local.get $emit)
                    (i32.shl (i32.load (i32.add (local.get $ext) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 3))))))
          (local.set $s (i32.add (local.get $s) (i32.const 1)))
          (br $cells)))
      (local.set $a
        (i32.add (local.get $occupation) (i32.shl (i32.load offset=32 (local.get $desc)) (i32.const 3))))
      (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (local.get $blankOccupation)))
      (if (f64.eq (local.get $total) (f64.const 0)) (then (return (i32.const 0))))
      (local.set $errorBound
        (f64.add (local.get $errorBound) (f64.div (local.get $cellsPerFrame) (local.get $total))))
      (if (f64.gt (local.get $errorBound) (global.get $budget)) (then (return (i32.const 0))))
      (if (local.get $writes)
        (then
          (local.set $inverse (f64.div (f64.const 1) (local.get $total)))
          (local.set $out
            (i32.add (i32.load offset=24 (local.get $desc))
              (i32.mul
                (i32.add (i32.load offset=8 (local.get $rec)) (i32.mul (local.get $t) (local.get $C)))
                (local.get $gBytes))))
          (local.set $c (i32.const 0))
          (block $gradDone
            (loop $grad
              (br_if $gradDone (i32.ge_u (local.get $c) (local.get $C)))
              (local.set $v
                (f64.mul (local.get $weight)
                  (f64.sub
                    (select (f64.load (i32.add (local.get $emit) (i32.shl (local.get $c) (i32.const 3))))
                      (f64.const 0) (local.get $logits))
                    (f64.mul (f64.load (i32.add (local.get $occupation) (i32.shl (local.get $c) (i32.const 3))))
                      (local.get $inverse)))))
              (if (i32.eq (local.get $gBytes) (i32.const 4))
                (then (f32.store (local.get $out) (f32.demote_f64 (local.get $v))))
                (else (f64.store (local.get $out) (local.get $v))))
              (local.set $out (i32.add (local.get $out) (local.get $gBytes)))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br $grad)))))
      (if (i32.eqz (local.get $t)) (then (return (i32.const 1))))
      ;; β_{t−1}(s) from the emitted β of frame t, read past the band as zeros
      (local.set $next
        (i32.add (local.get $beta)
          (i32.mul (i32.and (i32.sub (local.get $t) (i32.const 1)) (i32.const 1)) (local.get $stride))))
      (local.set $inverse (f64.div (f64.const 1) (local.get $betaSum)))
      (local.set $s
        (call $bandStart (i32.sub (local.get $t) (i32.const 1)) (local.get $steps) (local.get $width)))
      (local.set $stop (call $bandEnd (i32.sub (local.get $t) (i32.const 1)) (local.get $width)))
      (block $cellsDone
        (loop $cells
          (br_if $cellsDone (i32.ge_s (local.get $s) (local.get $stop)))
          (local.set $a (i32.add (local.get $emitted) (i32.shl (local.get $s) (i32.const 3))))
          (local.set $v
            (f64.mul
              (f64.add
                (f64.add (f64.load (local.get $a)) (f64.load offset=8 (local.get $a)))
                (f64.mul
                  (f64.load offset=16 (i32.add (local.get $skip) (i32.shl (local.get $s) (i32.const 3))))
                  (f64.load offset=16 (local.get $a))))
              (local.get $inverse)))
          (if (f64.lt (local.get $v) (global.get $tiny)) (then (local.set $v (f64.const 0))))
          (f64.store (i32.add (local.get $next) (i32.shl (local.get $s) (i32.const 3))) (local.get $v))
          (local.set $s (i32.add (local.get $s) (i32.const 1)))
          (br $cells)))
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (br $frames))
    (i32.const 1))
)
