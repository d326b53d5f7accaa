;; float32 matrix product C = op(A)·op(B) (or C += op(A)·op(B)) in f32x4 arithmetic, float32
;; accumulation. The caller copies A and B into memory as they are and calls `pack` once per
;; operand, which lays each out in panels that the micro-kernel reads contiguously, whatever the
;; transposes; `multiply` then runs a 4×8 register-blocked micro-kernel over every tile of C.
;;
;; Packed layouts (element counts; all offsets are bytes chosen by the caller, 16-aligned):
;;   A panels: ceil(M/4) panels of K×4: panel p holds, for each k, rows 4p..4p+3 of op(A) at column k
;;   B panels: ceil(N/8) panels of K×8: panel q holds, for each k, columns 8q..8q+7 of op(B) at row k
;;   C: 4·ceil(M/4) rows of ldc ≥ 8·ceil(N/8) values (rows and columns past M, N are padding)
;; Lines past the end of an operand (rows ≥ M, columns ≥ N) are packed as zeros.
;; The memory grows from JavaScript (memory.grow), which then re-creates its views. Threads (see
;; kernels/threads/pool.ts) each run `multiply` on their own row or column panels of the same packed
;; operands.
(module
;; The memory is imported: the resident memory (kernels/wasm/resident.ts), which every thread's
  ;; instance of this module uses and which also holds resident arrays; a call's operands are laid
  ;; out in a block of it (gemm.ts), so every address below is a parameter or a descriptor value.
  (import "env" "memory" (memory 1 16384 shared))

  ;; Packs `count` lines of K values each into panels of `width` lines (4 or 8): line i,
  ;; position k is read at src + 4·(i·si + k·sk) and written at
  ;; dst + 4·(floor(i/width)·K·width + k·width + i mod width). Lines [count, ceil(count/width)·width)
  ;; are 0. Full panels take a fast path when si = 1 (a step of k is width contiguous values:
  ;; vector copies) or sk = 1 (each line is contiguous: 4×4 transposes of four lines at a time);
  ;; the last, partial panel (and any other strides) go value by value.
  (func $pack (export "pack") (param $src i32) (param $dst i32) (param $count i32) (param $K i32)
    (param $width i32) (param $si i32) (param $sk i32)
    (local $i i32) (local $end i32) (local $full i32) (local $s i32) (local $d i32) (local $dEnd i32)
    (local $dStep i32) (local $sStep i32) (local $panel i32) (local $line i32) (local $k i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $dStep (i32.shl (local.get $width) (i32.const 2)))
    (local.set $sStep (i32.shl (local.get $sk) (i32.const 2)))
    (local.set $full (i32.mul (i32.div_u (local.get $count) (local.get $width)) (local.get $width)))
    (local.set $end (i32.mul (i32.div_u (i32.add (local.get $count) (i32.sub (local.get $width) (i32.const 1)))
      (local.get $width)) (local.get $width)))
    (local.set $panel (i32.mul (local.get $K) (local.get $dStep)))
    (if (i32.eq (local.get $si) (i32.const 1))
      (then
        (block $copiesDone
          (loop $copyPanel
            (br_if $copiesDone (i32.ge_u (local.get $i) (local.get $full)))
            (local.set $s (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $d (i32.add (local.get $dst)
              (i32.mul (local.get $panel) (i32.div_u (local.get $i) (local.get $width)))))
            (local.set $dEnd (i32.add (local.get $d) (local.get $panel)))
            (loop $copyStep
              (v128.store (local.get $d) (v128.load (local.get $s)))
              (if (i32.eq (local.get $width) (i32.const 8))
                (then (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $s)))))
              (local.set $s (i32.add (local.get $s) (local.get $sStep)))
              (local.set $d (i32.add (local.get $d) (local.get $dStep)))
              (br_if $copyStep (i32.lt_u (local.get $d) (local.get $dEnd))))
            (local.set $i (i32.add (local.get $i) (local.get $width)))
            (br $copyPanel)))))
    (if (i32.eq (local.get $sk) (i32.const 1))
      (then
        (local.set $line (i32.shl (local.get $si) (i32.const 2)))
        (block $quadsDone
          (loop $quad
            (br_if $quadsDone (i32.ge_u (local.get $i) (local.get $full)))
            (local.set $s (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $line))))
            (local.set $d (i32.add (local.get $dst)
              (i32.add (i32.mul (local.get $panel) (i32.div_u (local.get $i) (local.get $width)))
                (i32.shl (i32.rem_u (local.get $i) (local.get $width)) (i32.const 2)))))
            (local.set $k (i32.const 0))
            (block $transposesDone
              (loop $transpose
                (br_if $transposesDone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
                (local.set $r0 (v128.load (local.get $s)))
                (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $line))))
                (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $line) (i32.const 1)))))
                (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $line) (i32.const 3)))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                (v128.store (local.get $d)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (local.set $d (i32.add (local.get $d) (local.get $dStep)))
                (v128.store (local.get $d)
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (local.set $d (i32.add (local.get $d) (local.get $dStep)))
                (v128.store (local.get $d)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (local.set $d (i32.add (local.get $d) (local.get $dStep)))
                (v128.store (local.get $d)
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $d (i32.add (local.get $d) (local.get $dStep)))
                (local.set $s (i32.add (local.get $s) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $transpose)))
            ;; the last K mod 4 steps of the four lines, value by value
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $k) (local.get $K)))
                (f32.store (local.get $d) (f32.load (local.get $s)))
                (f32.store offset=4 (local.get $d) (f32.load (i32.add (local.get $s) (local.get $line))))
                (f32.store offset=8 (local.get $d)
                  (f32.load (i32.add (local.get $s) (i32.shl (local.get $line) (i32.const 1)))))
                (f32.store offset=12 (local.get $d)
                  (f32.load (i32.add (local.get $s) (i32.mul (local.get $line) (i32.const 3)))))
                (local.set $d (i32.add (local.get $d) (local.get $dStep)))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $tail)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quad)))))
    ;; value by value: the remaining lines (real ones copied, padding ones zeroed)
    (block $linesDone
      (loop $line
        (br_if $linesDone (i32.ge_u (local.get $i) (local.get $end)))
        ;; d = dst + panel·floor(i/width) + 4·(i mod width)
        (local.set $d (i32.add (local.get $dst)
          (i32.add (i32.mul (local.get $panel) (i32.div_u (local.get $i) (local.get $width)))
            (i32.shl (i32.rem_u (local.get $i) (local.get $width)) (i32.const 2)))))
        (local.set $dEnd (i32.add (local.get $d) (local.get $panel)))
        (if (i32.lt_u (local.get $i) (local.get $count))
          (then
            (local.set $s (i32.add (local.get $src)
              (i32.shl (i32.mul (local.get $i) (local.get $si)) (i32.const 2))))
            (loop $copy
              (f32.store (local.get $d) (f32.load (local.get $s)))
              (local.set $s (i32.add (local.get $s) (local.get $sStep)))
              (local.set $d (i32.add (local.get $d) (local.get $dStep)))
              (br_if $copy (i32.lt_u (local.get $d) (local.get $dEnd)))))
          (else
            (loop $zero
              (f32.store (local.get $d) (f32.const 0))
              (local.set $d (i32.add (local.get $d) (local.get $dStep)))
              (br_if $zero (i32.lt_u (local.get $d) (local.get $dEnd))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $line))))

  ;; C (at c, rows of ldc values, ldc ≥ 8·ceil(N/8)) = or += (accumulate ≠ 0) the product of
  ;; the packed panels at ap (M rows) and bp (N columns), K ≥ 1. Tile by tile: 8 f32x4
  ;; accumulators hold a 4×8 tile of C; each step of k loads 8 values of B and broadcasts 4 of A.
  ;; A range of column panels (bp and c moved by whole panels, ldc the whole C's) computes those
  ;; columns of C with the same operations as the whole product.
  (func $multiply (export "multiply") (param $M i32) (param $K i32) (param $N i32) (param $ap i32)
    (param $bp i32) (param $c i32) (param $accumulate i32) (param $ldc i32)
    (local $rowStride i32) (local $panelA i32) (local $panelB i32) (local $aEnd i32) (local $bEnd i32)
    (local $pbPanel i32) (local $paPanel i32) (local $cColumn i32) (local $cTile i32)
    (local $pa i32) (local $pb i32) (local $kEnd i32) (local $t i32)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $rowStride (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $panelA (i32.shl (local.get $K) (i32.const 4)))
    (local.set $panelB (i32.shl (local.get $K) (i32.const 5)))
    (local.set $aEnd (i32.add (local.get $ap)
      (i32.mul (local.get $panelA) (i32.shr_u (i32.add (local.get $M) (i32.const 3)) (i32.const 2)))))
    (local.set $bEnd (i32.add (local.get $bp)
      (i32.mul (local.get $panelB) (i32.shr_u (i32.add (local.get $N) (i32.const 7)) (i32.const 3)))))
    (local.set $pbPanel (local.get $bp))
    (local.set $cColumn (local.get $c))
    (loop $columns
      (local.set $paPanel (local.get $ap))
      (local.set $cTile (local.get $cColumn))
      (loop $rows
        (if (local.get $accumulate)
          (then
            (local.set $c00 (v128.load (local.get $cTile)))
            (local.set $c01 (v128.load offset=16 (local.get $cTile)))
            (local.set $t (i32.add (local.get $cTile) (local.get $rowStride)))
            (local.set $c10 (v128.load (local.get $t)))
            (local.set $c11 (v128.load offset=16 (local.get $t)))
            (local.set $t (i32.add (local.get $t) (local.get $rowStride)))
            (local.set $c20 (v128.load (local.get $t)))
            (local.set $c21 (v128.load offset=16 (local.get $t)))
            (local.set $t (i32.add (local.get $t) (local.get $rowStride)))
            (local.set $c30 (v128.load (local.get $t)))
            (local.set $c31 (v128.load offset=16 (local.get $t))))
          (else
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))))
        (local.set $pa (local.get $paPanel))
        (local.set $pb (local.get $pbPanel))
        (local.set $kEnd (i32.add (local.get $pa) (local.get $panelA)))
        ;; one step of k per pass (unrolling it twice measured slower in V8)
        (loop $k
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $a (v128.load32_splat (local.get $pa)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
          (br_if $k (i32.lt_u (local.get $pa) (local.get $kEnd))))
        (v128.store (local.get $cTile) (local.get $c00))
        (v128.store offset=16 (local.get $cTile) (local.get $c01))
        (local.set $t (i32.add (local.get $cTile) (local.get $rowStride)))
        (v128.store (local.get $t) (local.get $c10))
        (v128.store offset=16 (local.get $t) (local.get $c11))
        (local.set $t (i32.add (local.get $t) (local.get $rowStride)))
        (v128.store (local.get $t) (local.get $c20))
        (v128.store offset=16 (local.get $t) (local.get $c21))
        (local.set $t (i32.add (local.get $t) (local.get $rowStride)))
        (v128.store (local.get $t) (local.get $c30))
        (v128.store offset=16 (local.get $t) (local.get $c31))
        (local.set $paPanel (local.get $kEnd))
        (local.set $cTile (i32.add (local.get $t) (local.get $rowStride)))
        (br_if $rows (i32.lt_u (local.get $paPanel) (local.get $aEnd))))
      (local.set $pbPanel (i32.add (local.get $pbPanel) (local.get $panelB)))
      (local.set $cColumn (i32.add (local.get $cColumn) (i32.const 32)))
      (br_if $columns (i32.lt_u (local.get $pbPanel) (local.get $bEnd)))))

  ;; Writes an im2col block straight into packed B (the gather of autograd/conv-blocks.ts's
  ;; `gatherWindows`, the same element for element, for its two packed layouts): for every tap
  ;; (in-channel ic, ky, kx) and column j = (image i, oy, ox) whose input pixel lies inside the
  ;; image, packed B's element (tap, j) = x[i, ic, oy·sh + ky − ph, ox·sw + kx − pw]; positions
  ;; over the padding are left as they are (the caller zeroes them). The descriptor at byte $d
  ;; holds i32 values: 0 x (byte offset of the block's images [count, c, h, w]), 1 dst (packed B),
  ;; 2 c, 3 h, 4 w, 5 kh, 6 kw, 7 sh, 8 sw, 9 ph, 10 pw, 11 oh, 12 ow, 13 count, 14 layout (0: the
  ;; columns of op(B), element at (j − j mod 8)·K + 8·tap + j mod 8; 1: the rows of op(B) = blockᵀ,
  ;; element at (tap − tap mod 8)·K + 8j + tap mod 8; 2: the adjoint, `col2imAdd`: every pixel
  ;; gets the block's elements (tap, j), rows K apart at dst, added in the same order as that
  ;; function adds them), 15 K, then the valid output rows [lo, hi)
  ;; of each ky (2·kh values) and the valid output columns [lo, hi) of each kx (2·kw values).
  (func $gather (export "gather") (param $d i32)
    (local $x i32) (local $dst i32) (local $c i32) (local $h i32) (local $w i32) (local $kh i32)
    (local $kw i32) (local $sh i32) (local $sw i32) (local $ph i32) (local $pw i32) (local $oh i32)
    (local $ow i32) (local $count i32) (local $layout i32) (local $K i32)
    (local $ky i32) (local $kx i32) (local $ic i32) (local $i i32) (local $oy i32) (local $t i32)
    (local $oyLo i32) (local $oyHi i32) (local $oxLo i32) (local $run i32) (local $tap i32)
    (local $base i32) (local $plane i32) (local $positions i32) (local $j i32) (local $src i32)
    (local $srcStep i32) (local $at i32) (local $col i32) (local $ranges i32)
    (local.set $x (i32.load (local.get $d)))
    (local.set $dst (i32.load offset=4 (local.get $d)))
    (local.set $c (i32.load offset=8 (local.get $d)))
    (local.set $h (i32.load offset=12 (local.get $d)))
    (local.set $w (i32.load offset=16 (local.get $d)))
    (local.set $kh (i32.load offset=20 (local.get $d)))
    (local.set $kw (i32.load offset=24 (local.get $d)))
    (local.set $sh (i32.load offset=28 (local.get $d)))
    (local.set $sw (i32.load offset=32 (local.get $d)))
    (local.set $ph (i32.load offset=36 (local.get $d)))
    (local.set $pw (i32.load offset=40 (local.get $d)))
    (local.set $oh (i32.load offset=44 (local.get $d)))
    (local.set $ow (i32.load offset=48 (local.get $d)))
    (local.set $count (i32.load offset=52 (local.get $d)))
    (local.set $layout (i32.load offset=56 (local.get $d)))
    (local.set $K (i32.load offset=60 (local.get $d)))
    (local.set $ranges (i32.add (local.get $d) (i32.const 64)))
    (local.set $plane (i32.mul (local.get $h) (local.get $w)))
    (local.set $positions (i32.mul (local.get $oh) (local.get $ow)))
    (local.set $srcStep (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $ky (i32.const 0))
    (block $kyDone (loop $kyLoop
      (br_if $kyDone (i32.ge_u (local.get $ky) (local.get $kh)))
      (local.set $oyLo (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $ky) (i32.const 3)))))
      (local.set $oyHi (i32.load offset=4 (i32.add (local.get $ranges) (i32.shl (local.get $ky) (i32.const 3)))))
      (local.set $kx (i32.const 0))
      (block $kxDone (loop $kxLoop
        (br_if $kxDone (i32.ge_u (local.get $kx) (local.get $kw)))
        (local.set $at (i32.add (local.get $ranges)
          (i32.shl (i32.add (local.get $kh) (local.get $kx)) (i32.const 3))))
        (local.set $oxLo (i32.load (local.get $at)))
        (local.set $run (i32.sub (i32.load offset=4 (local.get $at)) (local.get $oxLo)))
        (if (i32.gt_s (local.get $run) (i32.const 0)) (then
          (local.set $ic (i32.const 0))
          (block $icDone (loop $icLoop
            (br_if $icDone (i32.ge_u (local.get $ic) (local.get $c)))
            (local.set $tap (i32.add (i32.mul (i32.add (i32.mul (local.get $ic) (local.get $kh)) (local.get $ky))
              (local.get $kw)) (local.get $kx)))
            ;; base: the byte address of (tap, column 0) in the layout (plus the column's part below)
            (local.set $base (i32.add (local.get $dst) (i32.shl
              (if (result i32) (i32.eq (local.get $layout) (i32.const 1))
                (then (i32.add (i32.mul (i32.and (local.get $tap) (i32.const -8)) (local.get $K))
                  (i32.and (local.get $tap) (i32.const 7))))
                (else (if (result i32) (local.get $layout)
                  (then (i32.mul (local.get $tap) (local.get $K)))
                  (else (i32.shl (local.get $tap) (i32.const 3))))))
              (i32.const 2))))
            (local.set $i (i32.const 0))
            (block $iDone (loop $iLoop
              (br_if $iDone (i32.ge_u (local.get $i) (local.get $count)))
              (local.set $oy (local.get $oyLo))
              (block $oyDone (loop $oyLoop
                (br_if $oyDone (i32.ge_s (local.get $oy) (local.get $oyHi)))
                (local.set $j (i32.add (i32.add (i32.mul (local.get $i) (local.get $positions))
                  (i32.mul (local.get $oy) (local.get $ow))) (local.get $oxLo)))
                ;; src: the byte address of x[i, ic, oy·sh + ky − ph, oxLo·sw + kx − pw]
                (local.set $src (i32.add (local.get $x) (i32.shl
                  (i32.add
                    (i32.add (i32.mul (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $ic)) (local.get $plane))
                      (i32.mul (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $ky)) (local.get $ph))
                        (local.get $w)))
                    (i32.sub (i32.add (i32.mul (local.get $oxLo) (local.get $sw)) (local.get $kx)) (local.get $pw)))
                  (i32.const 2))))
                (local.set $t (i32.const 0))
                (block $runDone
                (if (i32.eq (local.get $layout) (i32.const 2))
                  (then
                    ;; the adjoint: x[…] += the block's element (tap, j) at base + 4·j
                    (local.set $at (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 2))))
                    ;; with stride 1, four pixels at a time (the same additions, element by element)
                    (if (i32.eq (local.get $srcStep) (i32.const 4)) (then
                      (block $addVectorsDone (loop $addVectors
                        (br_if $addVectorsDone (i32.gt_s (i32.add (local.get $t) (i32.const 4)) (local.get $run)))
                        (v128.store (local.get $src) (f32x4.add (v128.load (local.get $src)) (v128.load (local.get $at))))
                        (local.set $at (i32.add (local.get $at) (i32.const 16)))
                        (local.set $src (i32.add (local.get $src) (i32.const 16)))
                        (local.set $t (i32.add (local.get $t) (i32.const 4)))
                        (br $addVectors)))))
                    (block $addDone (loop $addRun
                      (br_if $addDone (i32.ge_s (local.get $t) (local.get $run)))
                      (f32.store (local.get $src) (f32.add (f32.load (local.get $src)) (f32.load (local.get $at))))
                      (local.set $at (i32.add (local.get $at) (i32.const 4)))
                      (local.set $src (i32.add (local.get $src) (local.get $srcStep)))
                      (local.set $t (i32.add (local.get $t) (i32.const 1)))
                      (br $addRun)))
                    (br $runDone)))
                (if (local.get $layout)
                  (then
                    ;; rows of op(B): column j at base + 32·j
                    (local.set $at (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 5))))
                    (loop $rowRun
                      (f32.store (local.get $at) (f32.load (local.get $src)))
                      (local.set $at (i32.add (local.get $at) (i32.const 32)))
                      (local.set $src (i32.add (local.get $src) (local.get $srcStep)))
                      (br_if $rowRun (i32.lt_s (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $run)))))
                  (else
                    ;; columns of op(B): column col at base + 4·((col − col mod 8)·K + col mod 8)
                    ;; with stride 1, four columns at a time where they lie in one panel (contiguous)
                    (local.set $col (local.get $j))
                    (block $columnsDone (loop $columnRun
                      (br_if $columnsDone (i32.ge_s (local.get $t) (local.get $run)))
                      (local.set $at (i32.add (local.get $base) (i32.shl
                        (i32.add (i32.mul (i32.and (local.get $col) (i32.const -8)) (local.get $K))
                          (i32.and (local.get $col) (i32.const 7)))
                        (i32.const 2))))
                      (if (i32.and (i32.eq (local.get $srcStep) (i32.const 4))
                            (i32.and (i32.le_u (i32.and (local.get $col) (i32.const 7)) (i32.const 4))
                              (i32.le_s (i32.add (local.get $t) (i32.const 4)) (local.get $run))))
                        (then
                          (v128.store (local.get $at) (v128.load (local.get $src)))
                          (local.set $col (i32.add (local.get $col) (i32.const 4)))
                          (local.set $src (i32.add (local.get $src) (i32.const 16)))
                          (local.set $t (i32.add (local.get $t) (i32.const 4))))
                        (else
                          (f32.store (local.get $at) (f32.load (local.get $src)))
                          (local.set $col (i32.add (local.get $col) (i32.const 1)))
                          (local.set $src (i32.add (local.get $src) (local.get $srcStep)))
                          (local.set $t (i32.add (local.get $t) (i32.const 1)))))
                      (br $columnRun))))))
                (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
                (br $oyLoop)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $iLoop)))
            (local.set $ic (i32.add (local.get $ic) (i32.const 1)))
            (br $icLoop)))))
        (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
        (br $kxLoop)))
      (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
      (br $kyLoop))))

  ;; The product's rows back into images (autograd/conv-blocks.ts's `moveRowsOut`, the same
  ;; values): C's row o (ldc floats apart, at byte c) holds the outputs [count images × P
  ;; positions] of channel o; out (byte dst) receives them as [count, O, P], each plus bias[o]
  ;; (byte offset bias; -1: no bias), a float32 addition. The descriptor at byte $d holds i32 values:
  ;; 0 c, 1 ldc, 2 dst, 3 O, 4 count, 5 P, 6 bias.
  (func $rowsOut (export "rowsOut") (param $d i32)
    (local $c i32) (local $ldc i32) (local $dst i32) (local $O i32) (local $count i32) (local $P i32)
    (local $bias i32) (local $o i32) (local $i i32) (local $t i32) (local $src i32) (local $to i32)
    (local $b v128) (local $bs f32)
    (local.set $c (i32.load (local.get $d)))
    (local.set $ldc (i32.load offset=4 (local.get $d)))
    (local.set $dst (i32.load offset=8 (local.get $d)))
    (local.set $O (i32.load offset=12 (local.get $d)))
    (local.set $count (i32.load offset=16 (local.get $d)))
    (local.set $P (i32.load offset=20 (local.get $d)))
    (local.set $bias (i32.load offset=24 (local.get $d)))
    (block $oDone (loop $oLoop
      (br_if $oDone (i32.ge_u (local.get $o) (local.get $O)))
      (local.set $bs (if (result f32) (i32.ge_s (local.get $bias) (i32.const 0))
        (then (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))))
        (else (f32.const 0))))
      (local.set $b (f32x4.splat (local.get $bs)))
      (local.set $i (i32.const 0))
      (block $iDone (loop $iLoop
        (br_if $iDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $src (i32.add (local.get $c) (i32.shl
          (i32.add (i32.mul (local.get $o) (local.get $ldc)) (i32.mul (local.get $i) (local.get $P))) (i32.const 2))))
        (local.set $to (i32.add (local.get $dst) (i32.shl
          (i32.mul (i32.add (i32.mul (local.get $i) (local.get $O)) (local.get $o)) (local.get $P)) (i32.const 2))))
        (local.set $t (i32.const 0))
        (if (i32.ge_s (local.get $bias) (i32.const 0))
          (then
            (block $vDone (loop $v
              (br_if $vDone (i32.gt_s (i32.add (local.get $t) (i32.const 4)) (local.get $P)))
              (v128.store (i32.add (local.get $to) (i32.shl (local.get $t) (i32.const 2)))
                (f32x4.add (v128.load (i32.add (local.get $src) (i32.shl (local.get $t) (i32.const 2)))) (local.get $b)))
              (local.set $t (i32.add (local.get $t) (i32.const 4)))
              (br $v)))
            (block $sDone (loop $s
              (br_if $sDone (i32.ge_s (local.get $t) (local.get $P)))
              (f32.store (i32.add (local.get $to) (i32.shl (local.get $t) (i32.const 2)))
                (f32.add (f32.load (i32.add (local.get $src) (i32.shl (local.get $t) (i32.const 2)))) (local.get $bs)))
              (local.set $t (i32.add (local.get $t) (i32.const 1)))
              (br $s))))
          (else
            (memory.copy (local.get $to) (local.get $src) (i32.shl (local.get $P) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iLoop)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $oLoop))))

  ;; One thread's share of a product split across threads: panels are claimed from the shared
  ;; counter at `desc` (an atomic add of `step`), so a thread that starts late (a worker waking
  ;; up) or runs slower simply claims fewer, and `multiply` computes each claimed range of row
  ;; panels (of column panels when byColumns ≠ 0) exactly as the whole product would. Each value
  ;; of C is computed by one thread with the same operations in the same order, so C is bitwise
  ;; the same whichever thread claims what. The descriptor (i32 values at desc): counter, total
  ;; panels, step, byColumns, M, K, N, bp, c, accumulate, ldc, ap.
  (func (export "multiplyShare") (param $desc i32)
    (local $start i32) (local $end i32) (local $total i32) (local $step i32) (local $K i32)
    (local $M i32) (local $N i32) (local $bp i32) (local $c i32) (local $acc i32) (local $ldc i32)
    (local $ap i32)
    (local.set $total (i32.load offset=4 (local.get $desc)))
    (local.set $step (i32.load offset=8 (local.get $desc)))
    (local.set $M (i32.load offset=16 (local.get $desc)))
    (local.set $K (i32.load offset=20 (local.get $desc)))
    (local.set $N (i32.load offset=24 (local.get $desc)))
    (local.set $bp (i32.load offset=28 (local.get $desc)))
    (local.set $c (i32.load offset=32 (local.get $desc)))
    (local.set $acc (i32.load offset=36 (local.get $desc)))
    (local.set $ldc (i32.load offset=40 (local.get $desc)))
    (local.set $ap (i32.load offset=44 (local.get $desc)))
    (block $done
      (loop $claim
        (local.set $start (i32.atomic.rmw.add (local.get $desc) (local.get $step)))
        (br_if $done (i32.ge_u (local.get $start) (local.get $total)))
        (local.set $end (i32.add (local.get $start) (local.get $step)))
        (if (i32.gt_u (local.get $end) (local.get $total)) (then (local.set $end (local.get $total))))
        (if (i32.load offset=12 (local.get $desc))
          (then
            ;; columns [8·start, min(N, 8·end)): B from its panel `start`, C from column 8·start
            (call $multiply (local.get $M) (local.get $K)
              (i32.sub (select (local.get $N) (i32.shl (local.get $end) (i32.const 3))
                (i32.lt_u (local.get $N) (i32.shl (local.get $end) (i32.const 3))))
                (i32.shl (local.get $start) (i32.const 3)))
              (local.get $ap)
              (i32.add (local.get $bp) (i32.mul (i32.shl (local.get $K) (i32.const 5)) (local.get $start)))
              (i32.add (local.get $c) (i32.shl (local.get $start) (i32.const 5)))
              (local.get $acc) (local.get $ldc)))
          (else
            ;; rows [4·start, min(M, 4·end)): A from its panel `start`, C from row 4·start
            (call $multiply
              (i32.sub (select (local.get $M) (i32.shl (local.get $end) (i32.const 2))
                (i32.lt_u (local.get $M) (i32.shl (local.get $end) (i32.const 2))))
                (i32.shl (local.get $start) (i32.const 2)))
              (local.get $K) (local.get $N)
              (i32.add (local.get $ap) (i32.mul (i32.shl (local.get $K) (i32.const 4)) (local.get $start)))
              (local.get $bp)
              (i32.add (local.get $c) (i32.mul (i32.shl (local.get $start) (i32.const 4)) (local.get $ldc)))
              (local.get $acc) (local.get $ldc))))
        (br $claim))))

  ;; The K × N block of packed B at $b (panels of 8 columns, N padded to $padded) made ready for a
  ;; gather that writes only some of it: all of it zeroed when $all ≠ 0 (a padded convolution), else
  ;; only the last panel when N is not a multiple of 8 (its padding columns), as simdGemmInPlace does.
  (func $zeroPacked (param $b i32) (param $K i32) (param $N i32) (param $padded i32) (param $all i32)
    (if (local.get $all)
      (then (memory.fill (local.get $b) (i32.const 0)
        (i32.shl (i32.mul (local.get $K) (local.get $padded)) (i32.const 2))))
      (else (if (i32.ne (local.get $N) (local.get $padded))
        (then (memory.fill
          (i32.add (local.get $b) (i32.shl (i32.mul (i32.sub (local.get $padded) (i32.const 8)) (local.get $K)) (i32.const 2)))
          (i32.const 0) (i32.shl (local.get $K) (i32.const 5))))))))

  ;; One thread's share of a whole convolution over a batch of images (kernels/wasm/gemm-conv.ts):
  ;; blocks of `nb` images are claimed from the counter at $d (an atomic add of 1), and each claimed
  ;; block runs, in this thread's workspace ($slot), the steps that simdGemmInPlace and conv-packed.ts
  ;; run for it: the im2col gather into packed B, `multiply`, and the way out. Each block's results go
  ;; to its own images (or its own slot of partial products), computed with the same operations
  ;; whoever claims it, so they are bitwise the same for every thread count.
  ;;   mode 0, forward: B = col(X) (K = taps), C = packed W · B, rowsOut into Y (+ bias).
  ;;   mode 1, input gradient: B = the block's output gradients (K = O), C = packed Wᵀ · B, and the
  ;;     adjoint gather (layout 2) adds C's rows onto the block's images of GX.
  ;;   mode 2, weight gradient: A = the block's output gradients as rows [O, cols], packed here;
  ;;     B = col(X)ᵀ (layout 1, K = cols); the product goes to partial slot b (the caller adds the
  ;;     slots in block order).
  ;; The descriptor (i32 values at byte $d): 0 counter, 1 blocks, 2 mode, 3 nb, 4 n, 5 src (the
  ;; gathered images: X, or G in mode 1), 6 src bytes per image, 7 dst (Y, GX or the partial
  ;; slots), 8 dst bytes per image (per slot in mode 2), 9 O, 10 taps, 11 P (output positions per
  ;; image), 12 packed A (modes 0, 1), 13 ldc, 14 bias (-1: none), 15 zeroB, 16 the gather
  ;; template (gather's descriptor with x, dst and count to fill in), 17 the adjoint's template
  ;; (mode 1), 18 template bytes, 19 G (mode 2), 20 workspaces, 21 bytes per workspace, then
  ;; offsets within a workspace: 22 rowsOut's descriptor, 23 packed B, 24 C, 25 raw A, 26 packed A.
  (func (export "convBlocks") (param $d i32) (param $slot i32)
    (local $blocks i32) (local $mode i32) (local $nb i32) (local $n i32) (local $b i32)
    (local $first i32) (local $count i32) (local $cols i32) (local $padded i32) (local $K i32)
    (local $ws i32) (local $gd i32) (local $rd i32) (local $B i32) (local $C i32) (local $rawA i32)
    (local $A i32) (local $O i32) (local $taps i32) (local $P i32) (local $ldc i32) (local $o i32)
    (local $i i32) (local $tplBytes i32)
    (local.set $blocks (i32.load offset=4 (local.get $d)))
    (local.set $mode (i32.load offset=8 (local.get $d)))
    (local.set $nb (i32.load offset=12 (local.get $d)))
    (local.set $n (i32.load offset=16 (local.get $d)))
    (local.set $O (i32.load offset=36 (local.get $d)))
    (local.set $taps (i32.load offset=40 (local.get $d)))
    (local.set $P (i32.load offset=44 (local.get $d)))
    (local.set $ldc (i32.load offset=52 (local.get $d)))
    (local.set $tplBytes (i32.load offset=72 (local.get $d)))
    (local.set $ws (i32.add (i32.load offset=80 (local.get $d))
      (i32.mul (local.get $slot) (i32.load offset=84 (local.get $d)))))
    (local.set $gd (local.get $ws))
    (local.set $rd (i32.add (local.get $ws) (i32.load offset=88 (local.get $d))))
    (local.set $B (i32.add (local.get $ws) (i32.load offset=92 (local.get $d))))
    (local.set $C (i32.add (local.get $ws) (i32.load offset=96 (local.get $d))))
    (local.set $rawA (i32.add (local.get $ws) (i32.load offset=100 (local.get $d))))
    (local.set $A (i32.add (local.get $ws) (i32.load offset=104 (local.get $d))))
    (block $done (loop $claim
      (local.set $b (i32.atomic.rmw.add (local.get $d) (i32.const 1)))
      (br_if $done (i32.ge_u (local.get $b) (local.get $blocks)))
      (local.set $first (i32.mul (local.get $b) (local.get $nb)))
      (local.set $count (i32.sub (local.get $n) (local.get $first)))
      (if (i32.gt_u (local.get $count) (local.get $nb)) (then (local.set $count (local.get $nb))))
      (local.set $cols (i32.mul (local.get $count) (local.get $P)))
      ;; the gather's descriptor: the template, with this block's images, its B and its count
      (memory.copy (local.get $gd) (i32.load offset=64 (local.get $d)) (local.get $tplBytes))
      (i32.store (local.get $gd) (i32.add (i32.load offset=20 (local.get $d))
        (i32.mul (local.get $first) (i32.load offset=24 (local.get $d)))))
      (i32.store offset=4 (local.get $gd) (local.get $B))
      (i32.store offset=52 (local.get $gd) (local.get $count))
      (if (i32.eq (local.get $mode) (i32.const 2))
        (then
          ;; A: row o is channel o of the block's output gradients, image after image
          (local.set $o (i32.const 0))
          (block $oDone (loop $oLoop
            (br_if $oDone (i32.ge_u (local.get $o) (local.get $O)))
            (local.set $i (i32.const 0))
            (block $iDone (loop $iLoop
              (br_if $iDone (i32.ge_u (local.get $i) (local.get $count)))
              (memory.copy
                (i32.add (local.get $rawA) (i32.shl
                  (i32.add (i32.mul (local.get $o) (local.get $cols)) (i32.mul (local.get $i) (local.get $P)))
                  (i32.const 2)))
                (i32.add (i32.load offset=76 (local.get $d)) (i32.shl
                  (i32.mul (i32.add (i32.mul (i32.add (local.get $first) (local.get $i)) (local.get $O))
                    (local.get $o)) (local.get $P))
                  (i32.const 2)))
                (i32.shl (local.get $P) (i32.const 2)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $iLoop)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $oLoop)))
          (call $pack (local.get $rawA) (local.get $A) (local.get $O) (local.get $cols) (i32.const 4)
            (local.get $cols) (i32.const 1))
          ;; B: col(X)ᵀ, cols rows of taps columns
          (call $zeroPacked (local.get $B) (local.get $cols) (local.get $taps)
            (i32.and (i32.add (local.get $taps) (i32.const 7)) (i32.const -8))
            (i32.load offset=60 (local.get $d)))
          (i32.store offset=60 (local.get $gd) (local.get $cols))
          (call $gather (local.get $gd))
          (call $multiply (local.get $O) (local.get $cols) (local.get $taps) (local.get $A) (local.get $B)
            (i32.add (i32.load offset=28 (local.get $d)) (i32.mul (local.get $b) (i32.load offset=32 (local.get $d))))
            (i32.const 0) (local.get $ldc)))
        (else
          (local.set $K (select (local.get $taps) (local.get $O) (i32.eqz (local.get $mode))))
          (local.set $padded (i32.and (i32.add (local.get $cols) (i32.const 7)) (i32.const -8)))
          (call $zeroPacked (local.get $B) (local.get $K) (local.get $cols) (local.get $padded)
            (i32.load offset=60 (local.get $d)))
          (call $gather (local.get $gd))
          (call $multiply (select (local.get $O) (local.get $taps) (i32.eqz (local.get $mode)))
            (local.get $K) (local.get $cols) (i32.load offset=48 (local.get $d)) (local.get $B)
            (local.get $C) (i32.const 0) (local.get $ldc))
          (if (i32.eqz (local.get $mode))
            (then
              (i32.store (local.get $rd) (local.get $C))
              (i32.store offset=4 (local.get $rd) (local.get $ldc))
              (i32.store offset=8 (local.get $rd) (i32.add (i32.load offset=28 (local.get $d))
                (i32.mul (local.get $first) (i32.load offset=32 (local.get $d)))))
              (i32.store offset=12 (local.get $rd) (local.get $O))
              (i32.store offset=16 (local.get $rd) (local.get $count))
              (i32.store offset=20 (local.get $rd) (local.get $P))
              (i32.store offset=24 (local.get $rd) (i32.load offset=56 (local.get $d)))
              (call $rowsOut (local.get $rd)))
            (else
              ;; the adjoint gather: C's rows (ldc apart) added onto the block's images of GX
              (memory.copy (local.get $gd) (i32.load offset=68 (local.get $d)) (local.get $tplBytes))
              (i32.store (local.get $gd) (i32.add (i32.load offset=28 (local.get $d))
                (i32.mul (local.get $first) (i32.load offset=32 (local.get $d)))))
              (i32.store offset=4 (local.get $gd) (local.get $C))
              (i32.store offset=52 (local.get $gd) (local.get $count))
              (call $gather (local.get $gd))))))
      (br $claim))))
)
