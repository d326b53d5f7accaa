;; Zeroes a range of the resident memory (kernels/wasm/resident.ts): `memory.fill`, which engines
;; run as a native memset. V8's TypedArray `fill` on a shared memory stores one element at a time
;; (it must, for other threads' sake) and measured 10 times slower than on an ordinary buffer.
(module
  (import "env" "memory" (memory 1 16384 shared))
  ;; bytes [at, at + bytes) = 0
  (func (export "zero") (param $at i32) (param $bytes i32)
    (memory.fill (local.get $at) (i32.const 0) (local.get $bytes))))
