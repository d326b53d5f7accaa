;; float32 SIMD kernel of the one-hot softmax cross-entropy (sparse and token cross-entropy on
;; logits, no label smoothing): per row of C logits, the maximum m, the sum s = Σ e^(x − m)
;; (accumulated in float64) and, when asked, the gradient coef·(softmax(x) − onehot(label)).
;; The caller computes the loss itself from s and m: ℓ = w·(log s − (x_label − m)).
;;
;; Memory: imported (shared where the engine allows, for the thread pool); softmax.ts places in it
;; the logits x (rows × C), the gradient g (same layout; x and g may not overlap) and a record of
;; 24 bytes per row at info + 24 r:
;;   +0  label (i32)   +4  coef (f32): gradient scale × weight; 0 for an ignored row
;;   +8  out: s (f64)  +16 out: m (f32)   +20 softmax coefficient (f32), for scaleRows
;; either in scratch regions (ordinary arrays, copied a chunk at a time) or where a resident
;; logit and gradient array lives (no copies; the pool's workers take parts of the rows).
;; C is a multiple of 4. Rows are read with unaligned loads.
;; e^t for t ≤ 0 is float32.wat's (a degree-6 minimax polynomial after Cody-Waite reduction, about
;; 1 ulp, 0 below t = -87.68), written out inside the loop: V8 does not inline WebAssembly calls,
;; and a call costs more than the body. Every loop is bottom-tested (do-while), which lets
;; TurboFan hoist the constants out of it (C ≥ 8, so each row has at least two vectors).
(module
  (import "env" "memory" (memory 1 16384 shared))

  (global $zero v128 (v128.const f32x4 0 0 0 0)) ;; also the integer 0
  (global $one v128 (v128.const f32x4 1 1 1 1))
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

  ;; Rows [0, rows) of C = classes logits each (rows ≥ 1). withGrad = 0 leaves g holding
  ;; e^(x − m). Stores 1 (i32) at flag, and returns it, when every logit is finite, 0 otherwise
  ;; (the outputs are then meaningless).
  (func (export "oneHotRows") (param $logits i32) (param $grad i32) (param $info i32) (param $rows i32)
    (param $classes i32) (param $withGrad i32) (param $flag i32) (result i32)
    (local $gd i32) (local $rec i32) (local $ok i32)
    (local $r i32) (local $start i32) (local $end i32) (local $i i32) (local $end2 i32)
    (local $mv v128) (local $mv2 v128) (local $m f32)
    (local $t v128) (local $kb v128) (local $k v128) (local $f v128) (local $f2 v128)
    (local $e v128) (local $acc v128) (local $sum f64) (local $kv v128) (local $coef f32) (local $at i32)
    (local $blockEnd i32) (local $blockSum v128)
    (local $x v128) (local $x2 v128) (local $bad v128) (local $bad2 v128)
    (local.set $gd (i32.sub (local.get $grad) (local.get $logits)))
    (loop $row
      (local.set $rec (i32.add (local.get $info) (i32.mul (local.get $r) (i32.const 24))))
      (local.set $start (i32.add (local.get $logits)
        (i32.shl (i32.mul (local.get $r) (local.get $classes)) (i32.const 2))))
      (local.set $end (i32.add (local.get $start) (i32.shl (local.get $classes) (i32.const 2))))

      ;; the maximum, two vectors at a time (pmax; a non-finite logit only spoils the outputs,
      ;; which the flag discards), and the finite check: x − x is 0 for finite x, NaN otherwise,
      ;; and NaN stays in $bad
      (local.set $mv (v128.load (local.get $start)))
      (local.set $mv2 (local.get $mv))
      (local.set $i (local.get $start))
      (local.set $end2 (i32.sub (local.get $end) (i32.const 16)))
      (loop $maxPairs
        (local.set $x (v128.load (local.get $i)))
        (local.set $x2 (v128.load offset=16 (local.get $i)))
        (local.set $mv (f32x4.pmax (local.get $mv) (local.get $x)))
        (local.set $mv2 (f32x4.pmax (local.get $mv2) (local.get $x2)))
        (local.set $bad (f32x4.add (local.get $bad) (f32x4.sub (local.get $x) (local.get $x))))
        (local.set $bad2 (f32x4.add (local.get $bad2) (f32x4.sub (local.get $x2) (local.get $x2))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br_if $maxPairs (i32.lt_u (local.get $i) (local.get $end2))))
      (if (i32.lt_u (local.get $i) (local.get $end))
        (then
          (local.set $x (v128.load (local.get $i)))
          (local.set $mv (f32x4.pmax (local.get $mv) (local.get $x)))
          (local.set $bad (f32x4.add (local.get $bad) (f32x4.sub (local.get $x) (local.get $x))))))
      (local.set $mv (f32x4.pmax (local.get $mv) (local.get $mv2)))
      (local.set $mv (f32x4.pmax (local.get $mv)
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mv) (local.get $mv))))
      (local.set $mv (f32x4.pmax (local.get $mv)
        (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $mv) (local.get $mv))))
      (local.set $m (f32x4.extract_lane 0 (local.get $mv)))

      ;; e = e^(x − m) into g; its sum in float32 over blocks of 8 vectors (relative error
      ;; below 5e-7 per block), each block's sum widened into a float64 total
      (local.set $acc (v128.const f64x2 0 0))
      (local.set $i (local.get $start))
      (loop $block
        (local.set $blockEnd (select (local.get $end) (i32.add (local.get $i) (i32.const 128))
          (i32.lt_u (local.get $end) (i32.add (local.get $i) (i32.const 128)))))
        (local.set $blockSum (global.get $zero))
        (loop $exp
          (local.set $t (f32x4.pmax (global.get $expLow) (f32x4.sub (v128.load (local.get $i)) (local.get $mv))))
          (local.set $kb (f32x4.add (f32x4.mul (local.get $t) (global.get $log2e)) (global.get $roundMagic)))
          (local.set $k (f32x4.sub (local.get $kb) (global.get $roundMagic)))
          (local.set $f (f32x4.sub
            (f32x4.sub (local.get $t) (f32x4.mul (local.get $k) (global.get $ln2Hi)))
            (f32x4.mul (local.get $k) (global.get $ln2Lo))))
          (local.set $f2 (f32x4.mul (local.get $f) (local.get $f)))
          (local.set $e (f32x4.mul
            (f32x4.add
              (f32x4.add (global.get $one) (local.get $f))
              (f32x4.mul (local.get $f2)
                (f32x4.add
                  (f32x4.add (global.get $e2) (f32x4.mul (local.get $f) (global.get $e3)))
                  (f32x4.mul (local.get $f2)
                    (f32x4.add
                      (f32x4.add (global.get $e4) (f32x4.mul (local.get $f) (global.get $e5)))
                      (f32x4.mul (local.get $f2) (global.get $e6)))))))
            (i32x4.shl
              (i32x4.max_s (i32x4.sub (local.get $kb) (global.get $kOffset)) (global.get $zero))
              (i32.const 23))))
          (v128.store (i32.add (local.get $i) (local.get $gd)) (local.get $e))
          (local.set $blockSum (f32x4.add (local.get $blockSum) (local.get $e)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $exp (i32.lt_u (local.get $i) (local.get $blockEnd))))
        (local.set $acc (f64x2.add
          (f64x2.add (local.get $acc) (f64x2.promote_low_f32x4 (local.get $blockSum)))
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $blockSum) (local.get $blockSum)))))
        (br_if $block (i32.lt_u (local.get $i) (local.get $end))))
      (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
      (f64.store offset=8 (local.get $rec) (local.get $sum))
      (f32.store offset=16 (local.get $rec) (local.get $m))

      ;; g = coef·e/s, then coef subtracted at the label
      (if (local.get $withGrad)
        (then
          (local.set $coef (f32.load offset=4 (local.get $rec)))
          (local.set $kv (f32x4.splat (f32.demote_f64
            (f64.div (f64.promote_f32 (local.get $coef)) (local.get $sum)))))
          (local.set $i (local.get $start))
          (loop $scale
            (v128.store (i32.add (local.get $i) (local.get $gd))
              (f32x4.mul (v128.load (i32.add (local.get $i) (local.get $gd))) (local.get $kv)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br_if $scale (i32.lt_u (local.get $i) (local.get $end))))
          (local.set $at (i32.add (i32.add (local.get $start) (local.get $gd))
            (i32.shl (i32.load (local.get $rec)) (i32.const 2))))
          (f32.store (local.get $at)
            (f32.sub (f32.load (local.get $at)) (local.get $coef)))))

      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $r) (local.get $rows))))
    (local.set $ok (i32x4.all_true (f32x4.eq (f32x4.add (local.get $bad) (local.get $bad2)) (global.get $zero))))
    (i32.store (local.get $flag) (local.get $ok))
    (local.get $ok))

  ;; The gradient of rows whose softmax and one-hot parts have different coefficients (z-loss:
  ;; (coef + 2·z·scale·lse)·softmax − coef·onehot): after oneHotRows(rows, classes, 0) left
  ;; e^(x − m) in g, g = k·e with k the row's softmax coefficient divided by s (computed by the
  ;; caller, which has a logarithm), then coef subtracted at the label. rows ≥ 1.
  (func (export "scaleRows") (param $g i32) (param $info i32) (param $rows i32) (param $classes i32)
    (local $r i32) (local $i i32) (local $end i32) (local $kv v128) (local $at i32) (local $rec i32)
    (loop $row
      (local.set $rec (i32.add (local.get $info) (i32.mul (local.get $r) (i32.const 24))))
      (local.set $i (i32.add (local.get $g) (i32.shl (i32.mul (local.get $r) (local.get $classes)) (i32.const 2))))
      (local.set $end (i32.add (local.get $i) (i32.shl (local.get $classes) (i32.const 2))))
      (local.set $at (i32.add (local.get $i) (i32.shl (i32.load (local.get $rec)) (i32.const 2))))
      (local.set $kv (v128.load32_splat offset=20 (local.get $rec)))
      (loop $scale
        (v128.store (local.get $i) (f32x4.mul (v128.load (local.get $i)) (local.get $kv)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $scale (i32.lt_u (local.get $i) (local.get $end))))
      (f32.store (local.get $at)
        (f32.sub (f32.load (local.get $at)) (f32.load offset=4 (local.get $rec))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $r) (local.get $rows)))))
)
