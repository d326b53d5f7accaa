;; The Adam update (PyTorch's torch.optim.Adam, and AdamW's decoupled decay) in f64x2 arithmetic,
;; two parameters per step, with the same float64 operations in the same order as the JavaScript
;; loops of optim/optimizers.ts, so that the results are bitwise the same:
;;   p ← p·shrink (rounded to the parameter's type)              only where shrink is applied
;;   g ← g + l2·p                                                only where l2 ≠ 0
;;   m ← b1·m + (1 − b1)·g
;;   v ← b2·v + ((1 − b2)·g)·g
;;   p ← p − (stepSize·m) / (√v / correction2 + eps)             (rounded to the parameter's type)
;; The two optional terms are chosen by masks made once per call (bitselect), not by branches.
;; One divide, one square root and one more divide per parameter: the scalar loop is bound by the
;; divider, which f64x2 uses two lanes at a time.
;;
;; Memory: imported, shared with the thread pool's workers (kernels/threads/pool.ts), which run
;; these functions on their own ranges of the same arrays. The moments m and v live here for the
;; optimizer's lifetime (kernels/wasm/adam.ts allocates them); the caller copies p and g in before
;; a call and p out after it. Offsets are bytes; n is even (the caller pads the arrays). The scalars
;; are 7 float64 values at byte s: b1, b2, eps, stepSize, correction2, l2, shrink.
(module
  ;; 1 page to start, at most 16384 pages (1 GiB): MAX_BYTES of adam.ts.
  (import "env" "memory" (memory 1 16384 shared))

  ;; float32 parameters and gradients (p, g), float64 moments (m, v).
  (func (export "adam32")
    (param $n i32) (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $s i32)
    (local $i i32) (local $l2 f64) (local $shrink f64) (local $useL2 v128) (local $useShrink v128)
    (local $vb1 v128) (local $vb2 v128) (local $vc1 v128) (local $vc2 v128) (local $veps v128)
    (local $vstep v128) (local $vcorr v128) (local $vl2 v128) (local $vshrink v128)
    (local $pw v128) (local $gw v128) (local $mw v128) (local $vw v128)
    (local.set $l2 (f64.load offset=40 (local.get $s)))
    (local.set $shrink (f64.load offset=48 (local.get $s)))
    (local.set $useL2 (i64x2.splat (i64.sub (i64.const 0)
      (i64.extend_i32_u (f64.ne (local.get $l2) (f64.const 0))))))
    (local.set $useShrink (i64x2.splat (i64.sub (i64.const 0)
      (i64.extend_i32_u (f64.ne (local.get $shrink) (f64.const 1))))))
    (local.set $vb1 (f64x2.splat (f64.load offset=0 (local.get $s))))
    (local.set $vb2 (f64x2.splat (f64.load offset=8 (local.get $s))))
    (local.set $vc1 (f64x2.splat (f64.sub (f64.const 1) (f64.load offset=0 (local.get $s)))))
    (local.set $vc2 (f64x2.splat (f64.sub (f64.const 1) (f64.load offset=8 (local.get $s)))))
    (local.set $veps (f64x2.splat (f64.load offset=16 (local.get $s))))
    (local.set $vstep (f64x2.splat (f64.load offset=24 (local.get $s))))
    (local.set $vcorr (f64x2.splat (f64.load offset=32 (local.get $s))))
    (local.set $vl2 (f64x2.splat (local.get $l2)))
    (local.set $vshrink (f64x2.splat (local.get $shrink)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $pw (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))
        (local.set $gw (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $g))))
        (local.set $pw (v128.bitselect
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.mul (local.get $pw) (local.get $vshrink))))
          (local.get $pw) (local.get $useShrink)))
        (local.set $gw (v128.bitselect
          (f64x2.add (local.get $gw) (f64x2.mul (local.get $vl2) (local.get $pw)))
          (local.get $gw) (local.get $useL2)))
        (local.set $mw (f64x2.add (f64x2.mul (local.get $vb1) (v128.load (local.get $m)))
          (f64x2.mul (local.get $vc1) (local.get $gw))))
        (local.set $vw (f64x2.add (f64x2.mul (local.get $vb2) (v128.load (local.get $v)))
          (f64x2.mul (f64x2.mul (local.get $vc2) (local.get $gw)) (local.get $gw))))
        (v128.store (local.get $m) (local.get $mw))
        (v128.store (local.get $v) (local.get $vw))
        (v128.store64_lane 0 (local.get $p) (f32x4.demote_f64x2_zero (f64x2.sub (local.get $pw)
          (f64x2.div (f64x2.mul (local.get $vstep) (local.get $mw))
            (f64x2.add (f64x2.div (f64x2.sqrt (local.get $vw)) (local.get $vcorr)) (local.get $veps))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $step))))

  ;; float64 parameters and gradients: the same steps without the conversions.
  (func (export "adam64")
    (param $n i32) (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $s i32)
    (local $i i32) (local $l2 f64) (local $shrink f64) (local $useL2 v128) (local $useShrink v128)
    (local $vb1 v128) (local $vb2 v128) (local $vc1 v128) (local $vc2 v128) (local $veps v128)
    (local $vstep v128) (local $vcorr v128) (local $vl2 v128) (local $vshrink v128)
    (local $pw v128) (local $gw v128) (local $mw v128) (local $vw v128)
    (local.set $l2 (f64.load offset=40 (local.get $s)))
    (local.set $shrink (f64.load offset=48 (local.get $s)))
    (local.set $useL2 (i64x2.splat (i64.sub (i64.const 0)
      (i64.extend_i32_u (f64.ne (local.get $l2) (f64.const 0))))))
    (local.set $useShrink (i64x2.splat (i64.sub (i64.const 0)
      (i64.extend_i32_u (f64.ne (local.get $shrink) (f64.const 1))))))
    (local.set $vb1 (f64x2.splat (f64.load offset=0 (local.get $s))))
    (local.set $vb2 (f64x2.splat (f64.load offset=8 (local.get $s))))
    (local.set $vc1 (f64x2.splat (f64.sub (f64.const 1) (f64.load offset=0 (local.get $s)))))
    (local.set $vc2 (f64x2.splat (f64.sub (f64.const 1) (f64.load offset=8 (local.get $s)))))
    (local.set $veps (f64x2.splat (f64.load offset=16 (local.get $s))))
    (local.set $vstep (f64x2.splat (f64.load offset=24 (local.get $s))))
    (local.set $vcorr (f64x2.splat (f64.load offset=32 (local.get $s))))
    (local.set $vl2 (f64x2.splat (local.get $l2)))
    (local.set $vshrink (f64x2.splat (local.get $shrink)))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $pw (v128.load (local.get $p)))
        (local.set $gw (v128.load (local.get $g)))
        (local.set $pw (v128.bitselect (f64x2.mul (local.get $pw) (local.get $vshrink))
          (local.get $pw) (local.get $useShrink)))
        (local.set $gw (v128.bitselect
          (f64x2.add (local.get $gw) (f64x2.mul (local.get $vl2) (local.get $pw)))
          (local.get $gw) (local.get $useL2)))
        (local.set $mw (f64x2.add (f64x2.mul (local.get $vb1) (v128.load (local.get $m)))
          (f64x2.mul (local.get $vc1) (local.get $gw))))
        (local.set $vw (f64x2.add (f64x2.mul (local.get $vb2) (v128.load (local.get $v)))
          (f64x2.mul (f64x2.mul (local.get $vc2) (local.get $gw)) (local.get $gw))))
        (v128.store (local.get $m) (local.get $mw))
        (v128.store (local.get $v) (local.get $vw))
        (v128.store (local.get $p) (f64x2.sub (local.get $pw)
          (f64x2.div (f64x2.mul (local.get $vstep) (local.get $mw))
            (f64x2.add (f64x2.div (f64x2.sqrt (local.get $vw)) (local.get $vcorr)) (local.get $veps)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $step))))
)
