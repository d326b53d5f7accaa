;; SIMD kernels of relu and its backward, float32 (f32x4) and float64 (f64x2), with the bits of
;; the JavaScript loops in autograd/unary.ts:
;;   relu:     out = x where x > 0 or x is NaN (its own bits, payload and sign kept), else +0;
;;   backward: out = g where x is not <= 0 (x > 0, or NaN, as PyTorch's threshold_backward),
;;             else +0.
;; Both are an and of the value with a comparison mask (all ones or all zeros per lane), so
;; -0 gives +0 and no branch depends on the values.
;;
;; Memory: one fixed block of 3 pages (192 KiB), never grown (so JavaScript's views stay valid):
;;   [0, 64 KiB) x, [64 KiB, 128 KiB) g, [128 KiB, 192 KiB) out,
;; i.e. up to 16384 float32 or 8192 float64 values per call. n counts values; the loops run over
;; whole 16-byte vectors, so up to 3 lanes past n are computed from scratch bytes and never read.
;;
;; Speed (V8): loops are bottom-tested (do-while), as in float32.wat.
(module
  (memory (export "memory") 3 3)

  (global $zero v128 (v128.const i32x4 0 0 0 0))

  (func (export "relu32") (param $n i32)
    (local $p i32) (local $end i32) (local $x v128)
    (local.set $end (i32.and (i32.add (i32.shl (local.get $n) (i32.const 2)) (i32.const 15)) (i32.const -16)))
    (if (i32.eqz (local.get $end)) (then (return)))
    (loop $next
      (local.set $x (v128.load (local.get $p)))
      (v128.store offset=131072 (local.get $p)
        (v128.and (local.get $x)
          (v128.or (f32x4.gt (local.get $x) (global.get $zero)) (f32x4.ne (local.get $x) (local.get $x)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $p) (local.get $end)))))

  (func (export "reluGrad32") (param $n i32)
    (local $p i32) (local $end i32)
    (local.set $end (i32.and (i32.add (i32.shl (local.get $n) (i32.const 2)) (i32.const 15)) (i32.const -16)))
    (if (i32.eqz (local.get $end)) (then (return)))
    (loop $next
      (v128.store offset=131072 (local.get $p)
        (v128.andnot (v128.load offset=65536 (local.get $p))
          (f32x4.le (v128.load (local.get $p)) (global.get $zero))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $p) (local.get $end)))))

  (func (export "relu64") (param $n i32)
    (local $p i32) (local $end i32) (local $x v128)
    (local.set $end (i32.and (i32.add (i32.shl (local.get $n) (i32.const 3)) (i32.const 15)) (i32.const -16)))
    (if (i32.eqz (local.get $end)) (then (return)))
    (loop $next
      (local.set $x (v128.load (local.get $p)))
      (v128.store offset=131072 (local.get $p)
        (v128.and (local.get $x)
          (v128.or (f64x2.gt (local.get $x) (global.get $zero)) (f64x2.ne (local.get $x) (local.get $x)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $p) (local.get $end)))))

  (func (export "reluGrad64") (param $n i32)
    (local $p i32) (local $end i32)
    (local.set $end (i32.and (i32.add (i32.shl (local.get $n) (i32.const 3)) (i32.const 15)) (i32.const -16)))
    (if (i32.eqz (local.get $end)) (then (return)))
    (loop $next
      (v128.store offset=131072 (local.get $p)
        (v128.andnot (v128.load offset=65536 (local.get $p))
          (f64x2.le (v128.load (local.get $p)) (global.get $zero))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $next (i32.lt_u (local.get $p) (local.get $end))))))
