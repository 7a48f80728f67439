;; C = A·B for float64 with WebAssembly SIMD (f64x2), one 4×4 tile of C at a time.
;; The caller (fastgemm/wasm.ts) copies the operands into this module's memory, each in
;; one block where its layout allows:
;;   A: m×k, rows in panels of 4 starting aPanelBytes apart; element (i, p) at byte
;;      a + floor(i/4)·aPanelBytes + (i mod 4)·aRowBytes + p·aColBytes: row-major,
;;      transposed (whichever the source already is), or packed in strips of 4 rows,
;;      each k×4 row-major,
;;   B: k×n, element (p, j) at byte b + p·bRowBytes + floor(j/4)·bStripBytes + (j mod 4)·8:
;;      row-major (bStripBytes = 32) or packed in strips of 4 columns, each k×4 row-major
;;      (bRowBytes = 32), so a tile reads its B values from consecutive addresses,
;;   C: m×n, element (i, j) at byte c + i·cRowBytes + j·8,
;;   bias: n values at byte `bias`, added to each row of C after its sum when hasBias ≠ 0
;;      (sum first, then bias: the order of a dense layer's x·Wᵀ + b).
;; Tiles at the bottom and right edges still compute 4×4 (reading up to 3 rows of A and 3
;; columns of B past the edge, which the caller keeps inside memory) but store only the
;; elements inside C, so no operand needs padding. Each tile keeps 8 accumulators (4 rows ×
;; 2 pairs of columns) in registers and sums over k in order: every element is summed in
;; the same order as the scalar reference, so the two agree bit for bit.
(module
  (memory (export "memory") 1)

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

  (func (export "gemm") (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $aRowBytes i32) (param $aColBytes i32) (param $aPanelBytes i32)
    (param $b i32) (param $bRowBytes i32) (param $bStripBytes i32) (param $c i32) (param $cRowBytes i32)
    (param $bias i32) (param $hasBias i32)
    (local $ib i32) (local $j i32) (local $p i32) (local $rows i32) (local $cols i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $bp i32) (local $cp i32)
    (local $panel i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local.set $ib (i32.const 0))
    (local.set $panel (local.get $a))
    (block $done_i
      (loop $loop_i
        (br_if $done_i (i32.ge_s (local.get $ib) (local.get $m)))
        (local.set $rows (i32.sub (local.get $m) (local.get $ib)))
        (local.set $j (i32.const 0))
        (block $done_j
          (loop $loop_j
            (br_if $done_j (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $c00 (v128.const f64x2 0 0))
            (local.set $c01 (v128.const f64x2 0 0))
            (local.set $c10 (v128.const f64x2 0 0))
            (local.set $c11 (v128.const f64x2 0 0))
            (local.set $c20 (v128.const f64x2 0 0))
            (local.set $c21 (v128.const f64x2 0 0))
            (local.set $c30 (v128.const f64x2 0 0))
            (local.set $c31 (v128.const f64x2 0 0))
            (local.set $a0 (local.get $panel))
            (local.set $a1 (i32.add (local.get $a0) (local.get $aRowBytes)))
            (local.set $a2 (i32.add (local.get $a1) (local.get $aRowBytes)))
            (local.set $a3 (i32.add (local.get $a2) (local.get $aRowBytes)))
            (local.set $bp (i32.add (local.get $b) (i32.mul (i32.shr_u (local.get $j) (i32.const 2)) (local.get $bStripBytes))))
            (local.set $p (local.get $k))
            (block $done_p
              (loop $loop_p
                (br_if $done_p (i32.eqz (local.get $p)))
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
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $loop_p)))
            (if (local.get $hasBias)
              (then
                (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 3)))))
                (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 3)))))
                (local.set $c00 (f64x2.add (local.get $c00) (local.get $b0)))
                (local.set $c01 (f64x2.add (local.get $c01) (local.get $b1)))
                (local.set $c10 (f64x2.add (local.get $c10) (local.get $b0)))
                (local.set $c11 (f64x2.add (local.get $c11) (local.get $b1)))
                (local.set $c20 (f64x2.add (local.get $c20) (local.get $b0)))
                (local.set $c21 (f64x2.add (local.get $c21) (local.get $b1)))
                (local.set $c30 (f64x2.add (local.get $c30) (local.get $b0)))
                (local.set $c31 (f64x2.add (local.get $c31) (local.get $b1)))))
            (local.set $cols (i32.sub (local.get $n) (local.get $j)))
            (local.set $cp (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $ib) (local.get $cRowBytes)) (i32.shl (local.get $j) (i32.const 3)))))
            (if (i32.and (i32.ge_s (local.get $rows) (i32.const 4)) (i32.ge_s (local.get $cols) (i32.const 4)))
              (then
                ;; an inner tile: all 16 values, no calls
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
                (v128.store offset=16 (local.get $cp) (local.get $c31))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $loop_j)))
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
                (call $storeRow (local.get $cp) (local.get $c30) (local.get $c31) (local.get $cols))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $loop_j)))
        (local.set $ib (i32.add (local.get $ib) (i32.const 4)))
        (local.set $panel (i32.add (local.get $panel) (local.get $aPanelBytes)))
        (br $loop_i)))))
