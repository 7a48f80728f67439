;; C = A·B (+ bias, then ReLU, when asked) for float64 with WebAssembly SIMD (f64x2), one
;; 4×4 tile of C at a time, on operands packed in strips of 4 (see `pack`).
;;
;; scripts/build-wasm.mjs compiles this file twice: as written (SIMD, every multiply
;; rounded before its add, so every element equals the scalar reference's sum bit for bit)
;; and with each multiply-add `(f64x2.add (local.get $acc) (f64x2.mul (local.get $x)
;; (local.get $b)))` rewritten to `(f64x2.relaxed_madd (local.get $x) (local.get $b)
;; (local.get $acc))` (relaxed SIMD: a fused multiply-add where the CPU has one). Keep
;; every multiply-add in that exact form.
;;
;; The caller (fastgemm/wasm.ts) copies the operands into this module's memory:
;;   A: m×k in panels of 4 rows aPanelBytes apart, element (i, p) at byte
;;      a + (i >> 2)·aPanelBytes + (i & 3)·aRowBytes + p·aColBytes: in place with any
;;      strides (aPanelBytes = 4·aRowBytes), or packed by `pack` in strips of 4 rows
;;      (aRowBytes = 8, aColBytes = 32, aPanelBytes = 32k),
;;   B: k×n, element (p, j) at byte b + p·bRowBytes + (j >> 2)·bStripBytes + 8(j & 3):
;;      row-major (bStripBytes = 32), or packed by `pack` in strips of 4 columns, each k×4
;;      row-major (bRowBytes = 32, bStripBytes = 32k), so a tile reads its B values from
;;      consecutive addresses. Row-major B's last strip reads up to 3 values past the end
;;      of the matrix (the caller keeps them inside memory); they reach no stored element.
;;   bias: n values, then zeros up to a multiple of 4, at byte `bias`,
;;   C: m×n row-major at byte c.
;; Each tile keeps 8 accumulators (4 rows × 2 pairs of columns) in registers and sums over
;; k in order from 0, then adds the bias: the order of the scalar reference and of a dense
;; layer's x·Wᵀ + b. Rows past m read row 0 again; only the elements inside C are stored.
(module
  (memory (export "memory") 1)

  ;; Packs a strided rows×cols matrix (element (r, p) at byte src + r·rowBytes + p·colBytes)
  ;; in strips of 4 rows at byte dst: strip s holds rows 4s..4s+3 as `cols` groups of 4
  ;; values, zeros standing in for rows past the end. Packs A as it is and B as Bᵀ (strips of
  ;; 4 columns).
  (func (export "pack") (param $src i32) (param $rowBytes i32) (param $colBytes i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $s i32) (local $r i32) (local $p i32) (local $from i32) (local $at i32) (local $live i32)
    (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (if (i32.eqz (local.get $cols)) (then (return)))
    (local.set $s (i32.const 0))
    (block $done
      (loop $strips
        (br_if $done (i32.ge_s (local.get $s) (local.get $rows)))
        (local.set $live (i32.sub (local.get $rows) (local.get $s)))
        (if (i32.ge_s (local.get $live) (i32.const 4))
          (then
            ;; a full strip: four rows side by side
            (local.set $q0 (i32.add (local.get $src) (i32.mul (local.get $s) (local.get $rowBytes))))
            (local.set $q1 (i32.add (local.get $q0) (local.get $rowBytes)))
            (local.set $q2 (i32.add (local.get $q1) (local.get $rowBytes)))
            (local.set $q3 (i32.add (local.get $q2) (local.get $rowBytes)))
            (local.set $p (local.get $cols))
            (loop $full
              (f64.store (local.get $dst) (f64.load (local.get $q0)))
              (f64.store offset=8 (local.get $dst) (f64.load (local.get $q1)))
              (f64.store offset=16 (local.get $dst) (f64.load (local.get $q2)))
              (f64.store offset=24 (local.get $dst) (f64.load (local.get $q3)))
              (local.set $q0 (i32.add (local.get $q0) (local.get $colBytes)))
              (local.set $q1 (i32.add (local.get $q1) (local.get $colBytes)))
              (local.set $q2 (i32.add (local.get $q2) (local.get $colBytes)))
              (local.set $q3 (i32.add (local.get $q3) (local.get $colBytes)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
              (br_if $full (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
          (else
            ;; the last strip: the missing rows read as zeros
            (local.set $p (i32.const 0))
            (loop $part
              (local.set $r (i32.const 0))
              (loop $row
                (local.set $at (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 3))))
                (if (i32.lt_s (local.get $r) (local.get $live))
                  (then
                    (local.set $from (i32.add (local.get $src)
                      (i32.add (i32.mul (i32.add (local.get $s) (local.get $r)) (local.get $rowBytes)) (i32.mul (local.get $p) (local.get $colBytes)))))
                    (f64.store (local.get $at) (f64.load (local.get $from))))
                  (else (f64.store (local.get $at) (f64.const 0))))
                (br_if $row (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
              (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
              (br_if $part (i32.lt_s (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $cols))))))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (br $strips))))

  ;; ReLU's backward on `count` values (a multiple of 2; the caller rounds up and keeps the
  ;; extra value inside memory): dst = g + 0 where gate > 0, else +0,
  ;; as kernels.passWherePositive (a −0 gradient through an open gate becomes +0, NaN passes
  ;; an open gate). dst may be g.
  (func (export "reluBackward") (param $g i32) (param $gate i32) (param $dst i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst)
          (v128.and
            (f64x2.add (v128.load (local.get $g)) (v128.const f64x2 0 0))
            (f64x2.gt (v128.load (local.get $gate)) (v128.const f64x2 0 0))))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $gate (i32.add (local.get $gate) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $pairs))))

  ;; max(v, 0) on `count` values (a multiple of 2; the caller rounds up and keeps the extra
  ;; value inside memory), as kernels.relu: pmax(v, 0) is v < 0 ? 0 : v (NaN kept), and
  ;; + 0 turns its −0 into +0. dst may be src.
  (func (export "relu") (param $src i32) (param $dst i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst)
          (f64x2.add (f64x2.pmax (v128.load (local.get $src)) (v128.const f64x2 0 0)) (v128.const f64x2 0 0)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $pairs))))

  ;; dst[j] = Σ_i src[i·cols + j] for a rows×cols row-major matrix, summed row after row
  ;; from 0 (the order of kernels.sum over leading dimensions), two columns at a time: for
  ;; an odd `cols` the last pair reads one value past each row (the last one past the
  ;; matrix) and writes dst[cols], which the caller ignores.
  (func (export "columnSums") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $j i32) (local $i i32) (local $p i32) (local $rowBytes i32) (local $acc v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $done
      (loop $columns
        (br_if $done (i32.ge_s (local.get $j) (local.get $cols)))
        (local.set $acc (v128.const f64x2 0 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $i (local.get $rows))
        (block $summed
          (loop $down
            (br_if $summed (i32.eqz (local.get $i)))
            (local.set $acc (f64x2.add (local.get $acc) (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $down)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $columns))))

  ;; Max-pooling without padding or dilation, every window inside the image, two windows
  ;; of a row (lanes 0 and 1: output columns q and q + 1) at a time, as kernels.maxPool2d:
  ;; each tap in row-major order replaces the best when it is greater or NaN, so the first
  ;; of equal maxima and the last NaN win. src holds `planes` contiguous h×w images; the
  ;; maxima and their positions y·w + x (as f64) go to the oh×ow planes at dst and at. A
  ;; row with an odd ow ends with the pair (ow − 2, ow − 1), computing ow − 2 again; the
  ;; caller needs ow ≥ 2. Branch-free: a JavaScript loop mispredicts on every other tap.
  (func (export "maxPool") (param $src i32) (param $planes i32) (param $h i32) (param $w i32)
      (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $oh i32) (param $ow i32)
      (param $dst i32) (param $at i32)
    (local $plane i32) (local $p i32) (local $q i32) (local $qq i32) (local $i i32) (local $j i32)
    (local $planeSrc i32) (local $row i32) (local $tap i32) (local $out i32) (local $pos i32)
    (local $best v128) (local $where v128) (local $v v128) (local $take v128) (local $lanes v128) (local $tapAt v128)
    (local.set $lanes (f64x2.replace_lane 1 (v128.const f64x2 0 0) (f64.convert_i32_s (local.get $sw))))
    (local.set $plane (i32.const 0))
    (block $planesDone
      (loop $planesLoop
        (br_if $planesDone (i32.ge_s (local.get $plane) (local.get $planes)))
        (local.set $planeSrc (i32.add (local.get $src) (i32.shl (i32.mul (local.get $plane) (i32.mul (local.get $h) (local.get $w))) (i32.const 3))))
        (local.set $p (i32.const 0))
        (block $rowsDone
          (loop $rowsLoop
            (br_if $rowsDone (i32.ge_s (local.get $p) (local.get $oh)))
            (local.set $q (i32.const 0))
            (block $pairsDone
              (loop $pairsLoop
                (br_if $pairsDone (i32.ge_s (local.get $q) (local.get $ow)))
                ;; qq = min(q, ow − 2)
                (local.set $qq (select (local.get $q) (i32.sub (local.get $ow) (i32.const 2)) (i32.le_s (local.get $q) (i32.sub (local.get $ow) (i32.const 2)))))
                (local.set $best (v128.const f64x2 -inf -inf))
                ;; The first tap's position: (p·sh)·w + qq·sw, and sw further for lane 1.
                (local.set $pos (i32.add (i32.mul (i32.mul (local.get $p) (local.get $sh)) (local.get $w)) (i32.mul (local.get $qq) (local.get $sw))))
                (local.set $where (f64x2.add (f64x2.splat (f64.convert_i32_s (local.get $pos))) (local.get $lanes)))
                (local.set $i (i32.const 0))
                (block $tapRowsDone
                  (loop $tapRows
                    (br_if $tapRowsDone (i32.ge_s (local.get $i) (local.get $kh)))
                    (local.set $row (i32.add (local.get $pos) (i32.mul (local.get $i) (local.get $w))))
                    ;; Both lanes' positions of the row's first tap, then one further per tap.
                    (local.set $tapAt (f64x2.add (f64x2.splat (f64.convert_i32_s (local.get $row))) (local.get $lanes)))
                    (local.set $j (i32.const 0))
                    (block $tapsDone
                      (loop $taps
                        (br_if $tapsDone (i32.ge_s (local.get $j) (local.get $kw)))
                        (local.set $tap (i32.add (local.get $planeSrc) (i32.shl (i32.add (local.get $row) (local.get $j)) (i32.const 3))))
                        (local.set $v (f64x2.replace_lane 1 (v128.load64_splat (local.get $tap)) (f64.load (i32.add (local.get $tap) (i32.shl (local.get $sw) (i32.const 3))))))
                        (local.set $take (v128.or (f64x2.gt (local.get $v) (local.get $best)) (f64x2.ne (local.get $v) (local.get $v))))
                        (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
                        (local.set $where (v128.bitselect (local.get $tapAt) (local.get $where) (local.get $take)))
                        (local.set $tapAt (f64x2.add (local.get $tapAt) (v128.const f64x2 1 1)))
                        (local.set $j (i32.add (local.get $j) (i32.const 1)))
                        (br $taps)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $tapRows)))
                (local.set $out (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $plane) (local.get $oh)) (local.get $p)) (local.get $ow)) (local.get $qq)) (i32.const 3)))
                (v128.store (i32.add (local.get $dst) (local.get $out)) (local.get $best))
                (v128.store (i32.add (local.get $at) (local.get $out)) (local.get $where))
                (local.set $q (i32.add (local.get $q) (i32.const 2)))
                (br $pairsLoop)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $rowsLoop)))
        (local.set $plane (i32.add (local.get $plane) (i32.const 1)))
        (br $planesLoop))))

  ;; Copies `bytes` bytes from byte `src` to byte `dst` (the two may overlap): memory.copy,
  ;; for callers that build operands inside this memory (a convolution unfolding an image,
  ;; fastgemm/wasm.ts's workspaces). On a shared memory, JavaScript's copyWithin copies
  ;; 2.5–3.5× slower than this (measured on 5 KB and 0.8 KB runs).
  (func (export "copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)))

  ;; Stores the first `cols` (1 to 4) values of one tile row: lo holds columns 0–1, hi 2–3.
  (func $storeRow (param $cp i32) (param $lo v128) (param $hi v128) (param $cols i32)
    (if (i32.ge_u (local.get $cols) (i32.const 4))
      (then
        (v128.store (local.get $cp) (local.get $lo))
        (v128.store offset=16 (local.get $cp) (local.get $hi))
        (return)))
    (if (i32.ge_u (local.get $cols) (i32.const 2))
      (then
        (v128.store (local.get $cp) (local.get $lo))
        (if (i32.eq (local.get $cols) (i32.const 3))
          (then (v128.store64_lane offset=16 0 (local.get $cp) (local.get $hi)))))
      (else (v128.store64_lane 0 (local.get $cp) (local.get $lo)))))

  ;; C[m×n] = A·B (k ≥ 1), one 4×4 tile at a time. flags: 1 add the bias, 2 apply ReLU,
  ;; 4 run the strips of B in the outer loop (each B strip then stays in L1 while A streams
  ;; past: the better order when B is the larger operand). The tile is written out inline:
  ;; V8 does not inline calls, which cost as much as a short sum (k = 2 in a first layer).
  (func (export "gemm") (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $aRowBytes i32) (param $aColBytes i32) (param $aPanelBytes i32)
    (param $b i32) (param $bRowBytes i32) (param $bStripBytes i32)
    (param $c i32) (param $bias i32) (param $flags i32)
    (local $outer i32) (local $inner i32) (local $outerEnd i32) (local $innerEnd i32) (local $bOuter i32)
    (local $i i32) (local $j i32) (local $p i32) (local $rows i32) (local $cols i32) (local $cRowBytes i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $bp i32) (local $cp i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local.set $cRowBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $bOuter (i32.and (local.get $flags) (i32.const 4)))
    (local.set $outerEnd (select (local.get $n) (local.get $m) (local.get $bOuter)))
    (local.set $innerEnd (select (local.get $m) (local.get $n) (local.get $bOuter)))
    (local.set $outer (i32.const 0))
    (loop $outerLoop
      (local.set $inner (i32.const 0))
      (loop $innerLoop
        (local.set $i (select (local.get $inner) (local.get $outer) (local.get $bOuter)))
        (local.set $j (select (local.get $outer) (local.get $inner) (local.get $bOuter)))
        (local.set $rows (i32.sub (local.get $m) (local.get $i)))
        (local.set $cols (i32.sub (local.get $n) (local.get $j)))
        ;; rows past m read row 0 again
        (local.set $a0 (i32.add (local.get $a) (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (local.get $aPanelBytes))))
        (local.set $a1 (select (i32.add (local.get $a0) (local.get $aRowBytes)) (local.get $a0) (i32.gt_s (local.get $rows) (i32.const 1))))
        (local.set $a2 (select (i32.add (local.get $a1) (local.get $aRowBytes)) (local.get $a0) (i32.gt_s (local.get $rows) (i32.const 2))))
        (local.set $a3 (select (i32.add (local.get $a2) (local.get $aRowBytes)) (local.get $a0) (i32.gt_s (local.get $rows) (i32.const 3))))
        (local.set $bp (i32.add (local.get $b) (i32.mul (i32.shr_u (local.get $j) (i32.const 2)) (local.get $bStripBytes))))
        (local.set $c00 (v128.const f64x2 0 0))
        (local.set $c01 (v128.const f64x2 0 0))
        (local.set $c10 (v128.const f64x2 0 0))
        (local.set $c11 (v128.const f64x2 0 0))
        (local.set $c20 (v128.const f64x2 0 0))
        (local.set $c21 (v128.const f64x2 0 0))
        (local.set $c30 (v128.const f64x2 0 0))
        (local.set $c31 (v128.const f64x2 0 0))
        (local.set $p (local.get $k))
        (loop $sum
          (local.set $b0 (v128.load (local.get $bp)))
          (local.set $b1 (v128.load offset=16 (local.get $bp)))
          (local.set $x (v128.load64_splat (local.get $a0)))
          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat (local.get $a1)))
          (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat (local.get $a2)))
          (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load64_splat (local.get $a3)))
          (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
          (local.set $a0 (i32.add (local.get $a0) (local.get $aColBytes)))
          (local.set $a1 (i32.add (local.get $a1) (local.get $aColBytes)))
          (local.set $a2 (i32.add (local.get $a2) (local.get $aColBytes)))
          (local.set $a3 (i32.add (local.get $a3) (local.get $aColBytes)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bRowBytes)))
          (br_if $sum (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))
        (if (local.get $flags)
          (then
            (if (i32.and (local.get $flags) (i32.const 1))
              (then
                (local.set $bp (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 3))))
                (local.set $b0 (v128.load (local.get $bp)))
                (local.set $b1 (v128.load offset=16 (local.get $bp)))
                (local.set $c00 (f64x2.add (local.get $c00) (local.get $b0)))
                (local.set $c01 (f64x2.add (local.get $c01) (local.get $b1)))
                (local.set $c10 (f64x2.add (local.get $c10) (local.get $b0)))
                (local.set $c11 (f64x2.add (local.get $c11) (local.get $b1)))
                (local.set $c20 (f64x2.add (local.get $c20) (local.get $b0)))
                (local.set $c21 (f64x2.add (local.get $c21) (local.get $b1)))
                (local.set $c30 (f64x2.add (local.get $c30) (local.get $b0)))
                (local.set $c31 (f64x2.add (local.get $c31) (local.get $b1)))))
            (if (i32.and (local.get $flags) (i32.const 2))
              (then
                ;; ReLU as kernels.relu: pmax(v, 0) is v < 0 ? 0 : v (NaN kept), and + 0
                ;; turns its −0 into +0.
                (local.set $x (v128.const f64x2 0 0))
                (local.set $c00 (f64x2.add (f64x2.pmax (local.get $c00) (local.get $x)) (local.get $x)))
                (local.set $c01 (f64x2.add (f64x2.pmax (local.get $c01) (local.get $x)) (local.get $x)))
                (local.set $c10 (f64x2.add (f64x2.pmax (local.get $c10) (local.get $x)) (local.get $x)))
                (local.set $c11 (f64x2.add (f64x2.pmax (local.get $c11) (local.get $x)) (local.get $x)))
                (local.set $c20 (f64x2.add (f64x2.pmax (local.get $c20) (local.get $x)) (local.get $x)))
                (local.set $c21 (f64x2.add (f64x2.pmax (local.get $c21) (local.get $x)) (local.get $x)))
                (local.set $c30 (f64x2.add (f64x2.pmax (local.get $c30) (local.get $x)) (local.get $x)))
                (local.set $c31 (f64x2.add (f64x2.pmax (local.get $c31) (local.get $x)) (local.get $x)))))))
        (local.set $cp (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $cRowBytes)) (i32.shl (local.get $j) (i32.const 3)))))
        (if (i32.and (i32.ge_s (local.get $rows) (i32.const 4)) (i32.ge_s (local.get $cols) (i32.const 4)))
          (then
            ;; an inner tile: all 16 values
            (v128.store (local.get $cp) (local.get $c00))
            (v128.store offset=16 (local.get $cp) (local.get $c01))
            (local.set $cp (i32.add (local.get $cp) (local.get $cRowBytes)))
            (v128.store (local.get $cp) (local.get $c10))
            (v128.store offset=16 (local.get $cp) (local.get $c11))
            (local.set $cp (i32.add (local.get $cp) (local.get $cRowBytes)))
            (v128.store (local.get $cp) (local.get $c20))
            (v128.store offset=16 (local.get $cp) (local.get $c21))
            (local.set $cp (i32.add (local.get $cp) (local.get $cRowBytes)))
            (v128.store (local.get $cp) (local.get $c30))
            (v128.store offset=16 (local.get $cp) (local.get $c31)))
          (else
            (call $storeRow (local.get $cp) (local.get $c00) (local.get $c01) (local.get $cols))
            (if (i32.gt_s (local.get $rows) (i32.const 1))
              (then
                (local.set $cp (i32.add (local.get $cp) (local.get $cRowBytes)))
                (call $storeRow (local.get $cp) (local.get $c10) (local.get $c11) (local.get $cols))))
            (if (i32.gt_s (local.get $rows) (i32.const 2))
              (then
                (local.set $cp (i32.add (local.get $cp) (local.get $cRowBytes)))
                (call $storeRow (local.get $cp) (local.get $c20) (local.get $c21) (local.get $cols))))
            (if (i32.gt_s (local.get $rows) (i32.const 3))
              (then
                (local.set $cp (i32.add (local.get $cp) (local.get $cRowBytes)))
                (call $storeRow (local.get $cp) (local.get $c30) (local.get $c31) (local.get $cols))))))
        (br_if $innerLoop (i32.lt_s (local.tee $inner (i32.add (local.get $inner) (i32.const 4))) (local.get $innerEnd))))
      (br_if $outerLoop (i32.lt_s (local.tee $outer (i32.add (local.get $outer) (i32.const 4))) (local.get $outerEnd))))))
