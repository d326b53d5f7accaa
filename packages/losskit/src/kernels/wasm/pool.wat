;; float32 SIMD kernel of 2×2 max pooling with stride 2 (PyTorch's max_pool2d, floor mode): for
;; every window [a b; c d] of each H × W plane, its maximum and the flat index of that maximum in
;; the whole input (`base` + the index within the chunk). Four windows at a time: two 16-byte
;; loads per window row are split into the windows' left (a, c) and right (b, d) values by
;; shuffles; then the JavaScript loop's steps (autograd/pool.ts's windowMaxima): best = a, and
;; each of b, c, d in turn replaces it (with its index) when it is not ≤ best (larger, or NaN)
;; and best is not NaN, by bitselect: the first maximum, or the first NaN of a window with one.
;; The value written is the selected input's own bits (−0 and NaN payloads kept). (f32x4.le and
;; f32x4.eq are one instruction each; f32x4.max, with its NaN and −0 rules, is several in V8,
;; and the kernel used three of them per four windows: this is about 30% faster.) The columns
;; left over when OW is not a multiple of 4 take the same steps one window at a time.
;;
;; Memory: imported, and every region is a parameter (byte addresses): $x the planes (maxUnpool2x2:
;; its output), $out the maxima (maxUnpool2x2: the gradients in), $idx their flat indices (i32;
;; maxUnpool2x2 reads them). kernels/wasm/pool.ts instantiates it twice: on an ordinary memory of
;; its own with fixed regions, for arrays copied in a chunk at a time, and on the resident memory,
;; where an Arena's arrays are pooled where they are.
(module
  (import "env" "memory" (memory 1 16384 shared))

  (func (export "maxPool2x2")
    (param $planes i32) (param $h i32) (param $w i32) (param $oh i32) (param $ow i32) (param $base i32)
    (param $x i32) (param $out i32) (param $idx i32)
    (local $toIdx i32) (local $p i32) (local $oy i32) (local $ox i32) (local $ow4 i32) (local $plane i32)
    (local $i0 i32) (local $r0 i32) (local $r1 i32) (local $o i32)
    (local $v0 v128) (local $v1 v128) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $m v128) (local $sa v128) (local $sb v128) (local $ia v128) (local $iw v128)
    (local $fa f32) (local $fb f32) (local $fc f32) (local $fd f32) (local $fm f32)
    (local $ja i32) (local $k i32)
    ;; $o walks the maxima (the gradients); the indices are $toIdx bytes from them
    (local.set $o (local.get $out))
    (local.set $toIdx (i32.sub (local.get $idx) (local.get $out)))
    (local.set $ow4 (i32.and (local.get $ow) (i32.const -4)))
    (local.set $iw (i32x4.splat (local.get $w)))
    (local.set $plane (i32.mul (local.get $h) (local.get $w)))
    (block $planesDone
      (loop $planeLoop
        (br_if $planesDone (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $oy (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $oh)))
            ;; i0: the chunk index of the window row's first value; r0, r1: byte addresses
            (local.set $i0
              (i32.add (i32.mul (local.get $p) (local.get $plane))
                       (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $w))))
            (local.set $r0 (i32.add (local.get $x) (i32.shl (local.get $i0) (i32.const 2))))
            (local.set $r1 (i32.add (local.get $r0) (i32.shl (local.get $w) (i32.const 2))))
            (local.set $ox (i32.const 0))
            (block $simdDone
              (loop $simd
                (br_if $simdDone (i32.ge_u (local.get $ox) (local.get $ow4)))
                (local.set $k (i32.shl (local.get $ox) (i32.const 3)))
                (local.set $v0 (v128.load (i32.add (local.get $r0) (local.get $k))))
                (local.set $v1 (v128.load offset=16 (i32.add (local.get $r0) (local.get $k))))
                (local.set $a (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v0) (local.get $v1)))
                (local.set $b (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v0) (local.get $v1)))
                (local.set $v0 (v128.load (i32.add (local.get $r1) (local.get $k))))
                (local.set $v1 (v128.load offset=16 (i32.add (local.get $r1) (local.get $k))))
                (local.set $c (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v0) (local.get $v1)))
                (local.set $d (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v0) (local.get $v1)))
                ;; the JavaScript loop's steps: best = a, then each of b, c, d replaces it when it
                ;; is not ≤ best (larger, or NaN) and best is not NaN; $m best, $sb its index
                (local.set $ia
                  (i32x4.add
                    (i32x4.splat (i32.add (local.get $base) (i32.add (local.get $i0) (i32.shl (local.get $ox) (i32.const 1)))))
                    (v128.const i32x4 0 2 4 6)))
                (local.set $m (local.get $a))
                (local.set $sb (local.get $ia))
                (local.set $sa (v128.andnot (f32x4.eq (local.get $m) (local.get $m)) (f32x4.le (local.get $b) (local.get $m))))
                (local.set $m (v128.bitselect (local.get $b) (local.get $m) (local.get $sa)))
                (local.set $sb (v128.bitselect (i32x4.add (local.get $ia) (v128.const i32x4 1 1 1 1)) (local.get $sb) (local.get $sa)))
                (local.set $sa (v128.andnot (f32x4.eq (local.get $m) (local.get $m)) (f32x4.le (local.get $c) (local.get $m))))
                (local.set $m (v128.bitselect (local.get $c) (local.get $m) (local.get $sa)))
                (local.set $sb (v128.bitselect (i32x4.add (local.get $ia) (local.get $iw)) (local.get $sb) (local.get $sa)))
                (local.set $sa (v128.andnot (f32x4.eq (local.get $m) (local.get $m)) (f32x4.le (local.get $d) (local.get $m))))
                (v128.store (local.get $o) (v128.bitselect (local.get $d) (local.get $m) (local.get $sa)))
                (v128.store (i32.add (local.get $o) (local.get $toIdx))
                  (v128.bitselect (i32x4.add (i32x4.add (local.get $ia) (local.get $iw)) (v128.const i32x4 1 1 1 1))
                    (local.get $sb) (local.get $sa)))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                (br $simd)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $ox) (local.get $ow)))
                (local.set $k (i32.shl (local.get $ox) (i32.const 3)))
                (local.set $fa (f32.load (i32.add (local.get $r0) (local.get $k))))
                (local.set $fb (f32.load offset=4 (i32.add (local.get $r0) (local.get $k))))
                (local.set $fc (f32.load (i32.add (local.get $r1) (local.get $k))))
                (local.set $fd (f32.load offset=4 (i32.add (local.get $r1) (local.get $k))))
                ;; the same steps on one window: $fm best, $k its index
                (local.set $k (i32.add (local.get $base) (i32.add (local.get $i0) (i32.shl (local.get $ox) (i32.const 1)))))
                (local.set $fm (local.get $fa))
                (local.set $ja (local.get $k))
                (if (i32.and (f32.eq (local.get $fm) (local.get $fm)) (i32.eqz (f32.le (local.get $fb) (local.get $fm))))
                  (then (local.set $fm (local.get $fb)) (local.set $ja (i32.add (local.get $k) (i32.const 1)))))
                (if (i32.and (f32.eq (local.get $fm) (local.get $fm)) (i32.eqz (f32.le (local.get $fc) (local.get $fm))))
                  (then (local.set $fm (local.get $fc)) (local.set $ja (i32.add (local.get $k) (local.get $w)))))
                (if (i32.and (f32.eq (local.get $fm) (local.get $fm)) (i32.eqz (f32.le (local.get $fd) (local.get $fm))))
                  (then (local.set $fm (local.get $fd))
                    (local.set $ja (i32.add (i32.add (local.get $k) (local.get $w)) (i32.const 1)))))
                (f32.store (local.get $o) (local.get $fm))
                (i32.store (i32.add (local.get $o) (local.get $toIdx)) (local.get $ja))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                (br $tail)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $rowLoop)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $planeLoop))))

  ;; The backward of maxPool2x2 (max_pool2d's input gradient): reads each window's gradient g
  ;; (at $out) and flat index (at $idx), as maxPool2x2 wrote them, and writes every value of
  ;; the planes at $x: g + 0 at the window's maximum (so −0 becomes +0, as adding onto a zero-filled
  ;; gradient gives), +0 at its three other pixels and at the pixels of no window (the last row or
  ;; column of an odd size). Each pixel is written once, with no zero-fill and no scattered writes.
  ;; Four windows at a time: their positions (0, 1, W, W + 1 from the window's first pixel) become
  ;; four masks of g, interleaved into the two rows by shuffles.
  (func (export "maxUnpool2x2")
    (param $planes i32) (param $h i32) (param $w i32) (param $oh i32) (param $ow i32) (param $base i32)
    (param $x i32) (param $out i32) (param $idx i32)
    (local $toIdx i32) (local $p i32) (local $oy i32) (local $ox i32) (local $ow4 i32) (local $plane i32)
    (local $i0 i32) (local $r0 i32) (local $r1 i32) (local $o i32) (local $k i32) (local $code i32)
    (local $g v128) (local $pos v128) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $iw v128) (local $fg f32)
    ;; $o walks the maxima (the gradients); the indices are $toIdx bytes from them
    (local.set $o (local.get $out))
    (local.set $toIdx (i32.sub (local.get $idx) (local.get $out)))
    (local.set $ow4 (i32.and (local.get $ow) (i32.const -4)))
    (local.set $iw (i32x4.splat (local.get $w)))
    (local.set $plane (i32.mul (local.get $h) (local.get $w)))
    (block $planesDone
      (loop $planeLoop
        (br_if $planesDone (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $oy (i32.const 0))
        (block $rowsDone
          (loop $rowLoop
            (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $oh)))
            (local.set $i0
              (i32.add (i32.mul (local.get $p) (local.get $plane))
                       (i32.mul (i32.shl (local.get $oy) (i32.const 1)) (local.get $w))))
            (local.set $r0 (i32.add (local.get $x) (i32.shl (local.get $i0) (i32.const 2))))
            (local.set $r1 (i32.add (local.get $r0) (i32.shl (local.get $w) (i32.const 2))))
            (local.set $ox (i32.const 0))
            (block $simdDone
              (loop $simd
                (br_if $simdDone (i32.ge_u (local.get $ox) (local.get $ow4)))
                (local.set $g (v128.load (local.get $o)))
                ;; each window's position: its index less that of its first pixel
                (local.set $pos
                  (i32x4.sub (v128.load (i32.add (local.get $o) (local.get $toIdx)))
                    (i32x4.add
                      (i32x4.splat (i32.add (local.get $base) (i32.add (local.get $i0) (i32.shl (local.get $ox) (i32.const 1)))))
                      (v128.const i32x4 0 2 4 6))))
                (local.set $a (f32x4.add (v128.and (local.get $g) (i32x4.eq (local.get $pos) (v128.const i32x4 0 0 0 0))) (v128.const f32x4 0 0 0 0)))
                (local.set $b (f32x4.add (v128.and (local.get $g) (i32x4.eq (local.get $pos) (v128.const i32x4 1 1 1 1))) (v128.const f32x4 0 0 0 0)))
                (local.set $c (f32x4.add (v128.and (local.get $g) (i32x4.eq (local.get $pos) (local.get $iw))) (v128.const f32x4 0 0 0 0)))
                (local.set $d (f32x4.add (v128.and (local.get $g)
                  (i32x4.eq (local.get $pos) (i32x4.add (local.get $iw) (v128.const i32x4 1 1 1 1))))
                  (v128.const f32x4 0 0 0 0)))
                (local.set $k (i32.shl (local.get $ox) (i32.const 3)))
                (v128.store (i32.add (local.get $r0) (local.get $k))
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
                (v128.store offset=16 (i32.add (local.get $r0) (local.get $k))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
                (v128.store (i32.add (local.get $r1) (local.get $k))
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d)))
                (v128.store offset=16 (i32.add (local.get $r1) (local.get $k))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d)))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                (br $simd)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $ox) (local.get $ow)))
                (local.set $fg (f32.load (local.get $o)))
                (local.set $code
                  (i32.sub (i32.load (i32.add (local.get $o) (local.get $toIdx)))
                    (i32.add (local.get $base) (i32.add (local.get $i0) (i32.shl (local.get $ox) (i32.const 1))))))
                (local.set $k (i32.shl (local.get $ox) (i32.const 3)))
                (f32.store (i32.add (local.get $r0) (local.get $k))
                  (f32.add (select (local.get $fg) (f32.const 0) (i32.eqz (local.get $code))) (f32.const 0)))
                (f32.store offset=4 (i32.add (local.get $r0) (local.get $k))
                  (f32.add (select (local.get $fg) (f32.const 0) (i32.eq (local.get $code) (i32.const 1))) (f32.const 0)))
                (f32.store (i32.add (local.get $r1) (local.get $k))
                  (f32.add (select (local.get $fg) (f32.const 0) (i32.eq (local.get $code) (local.get $w))) (f32.const 0)))
                (f32.store offset=4 (i32.add (local.get $r1) (local.get $k))
                  (f32.add (select (local.get $fg) (f32.const 0)
                    (i32.eq (local.get $code) (i32.add (local.get $w) (i32.const 1)))) (f32.const 0)))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                (br $tail)))
            ;; an odd width: the last column of both rows is in no window
            (if (i32.and (local.get $w) (i32.const 1))
              (then
                (local.set $k (i32.shl (local.get $ow) (i32.const 3)))
                (f32.store (i32.add (local.get $r0) (local.get $k)) (f32.const 0))
                (f32.store (i32.add (local.get $r1) (local.get $k)) (f32.const 0))))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $rowLoop)))
        ;; an odd height: the last row is in no window
        (if (i32.and (local.get $h) (i32.const 1))
          (then
            (memory.fill
              (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $p) (local.get $plane))
                (i32.mul (i32.sub (local.get $h) (i32.const 1)) (local.get $w))) (i32.const 2)))
              (i32.const 0) (i32.shl (local.get $w) (i32.const 2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $planeLoop)))))
