from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from medstock.errors import Problem, ValidationError
from medstock.importer import ImportResult, import_lots, import_products
from medstock.ledger import check_ledger
from medstock.reporting import compute_metrics
from models import Lot, Product, StockMovement

HEADER = (
    "sku,name,category,unit,stock,min_stock,max_stock,pack_size,unit_cost,tracks_expiry"
)


def _write(tmp_path, name, lines, encoding="utf-8"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def _products(session):
    session.expire_all()
    return {
        p.sku: (p.name, p.stock, p.min_stock, p.max_stock, p.pack_size, p.unit_cost)
        for p in session.exec(select(Product))
    }


def _movements(session):
    return [
        (m.kind, m.quantity, m.reason)
        for m in session.exec(select(StockMovement).order_by(StockMovement.id))
    ]


def test_a_file_with_five_bad_rows_reports_all_five_and_writes_nothing(
    session, tmp_path
):
    path = _write(
        tmp_path,
        "catalogue.csv",
        [
            HEADER,
            "GLV-NIT-M,Nitrile gloves M,Gloves,box,18,40,,1,6.80,false",
            "GLV-NIT-L,,Gloves,box,55,30,,1,6.80,false",
            "GLV-NIT-S,Nitrile gloves S,Gloves,box,-4,20,,1,6.80,false",
            "GLV-NIT-XL,Nitrile gloves XL,Gloves,box,9,ten,,1,7.20,false",
            "GLV-NIT-M,Nitrile gloves M again,Gloves,box,18,40,,1,6.80,false",
            "SYR-LL-3,Syringe 3 mL,Syringes,unit,300,600,,1,0.10,maybe",
        ],
    )

    with pytest.raises(ValidationError) as caught:
        import_products(session, path)

    assert caught.value.problems == [
        Problem(3, "name", "is empty; every row needs a name"),
        Problem(4, "stock", "'-4' is below 0; use 0 or more"),
        Problem(
            5, "min_stock", "'ten' is not a whole number; write digits only, such as 12"
        ),
        Problem(6, "sku", "'GLV-NIT-M' already appears in row 2; keep one row for it"),
        Problem(
            7, "tracks_expiry", "'maybe' is not true or false; write true or false"
        ),
    ]
    assert str(caught.value).splitlines()[:2] == [
        "catalogue.csv has 5 problems; nothing was imported; fix the file and "
        "import it again:",
        "row 3, column 'name': is empty; every row needs a name",
    ]
    assert _products(session) == {}


def test_a_missing_column_is_reported_on_the_header_row(session, tmp_path):
    path = _write(tmp_path, "p.csv", ["sku,name,category,unit,min_stock", "A,a,c,u,1"])

    with pytest.raises(ValidationError) as caught:
        import_products(session, path)

    assert caught.value.problems == [
        Problem(
            1,
            "",
            "1 column missing: unit_cost; the header needs sku, name, category, "
            "unit, min_stock, unit_cost and has no other column besides",
        )
    ]


def test_a_wrong_header_names_the_missing_columns_once_and_the_unread_ones(
    session, tmp_path
):
    path = _write(tmp_path, "p.csv", ["sku,foo,bar", "A,1,2"])

    with pytest.raises(ValidationError) as caught:
        import_products(session, path)

    assert [str(problem) for problem in caught.value.problems] == [
        "row 1: 5 columns missing: name, category, unit, min_stock, unit_cost; the "
        "header needs sku, name, category, unit, min_stock, unit_cost and has foo, "
        "bar besides"
    ]
    assert _products(session) == {}


def test_a_re_import_upserts_by_sku_and_books_stock_changes_as_adjust(
    session, tmp_path
):
    first = _write(
        tmp_path,
        "first.csv",
        [
            HEADER,
            "GLV-NIT-M,Nitrile gloves M,Gloves,box,18,40,,1,6.80,false",
            "PPE-MSK-SUR,Surgical mask IIR,PPE,box,60,40,,1,4.20,false",
        ],
    )
    second = _write(
        tmp_path,
        "second.csv",
        [
            HEADER,
            "GLV-NIT-M,Nitrile gloves M (new supplier),Gloves,box,25,50,120,10,7.10,",
            "PPE-MSK-SUR,Surgical mask IIR,PPE,box,60,40,,1,4.20,false",
            "PPE-APR-PE,Apron roll,PPE,roll,22,15,,1,5.40,no",
        ],
    )

    created = import_products(session, first)
    session.commit()
    upserted = import_products(session, second)
    session.commit()

    assert (created, upserted) == (
        ImportResult("first.csv", 2, 0, 2),
        ImportResult("second.csv", 1, 2, 2),
    )
    assert _products(session) == {
        "GLV-NIT-M": (
            "Nitrile gloves M (new supplier)",
            25,
            50,
            120,
            10,
            Decimal("7.10"),
        ),
        "PPE-MSK-SUR": ("Surgical mask IIR", 60, 40, None, 1, Decimal("4.20")),
        "PPE-APR-PE": ("Apron roll", 22, 15, None, 1, Decimal("5.40")),
    }
    assert _movements(session) == [
        ("ADJUST", 18, "import first.csv"),
        ("ADJUST", 60, "import first.csv"),
        ("ADJUST", 7, "import second.csv"),
        ("ADJUST", 22, "import second.csv"),
    ]
    assert check_ledger(session) == []


def test_a_semicolon_file_with_a_bom_and_decimal_commas_imports(session, tmp_path):
    path = _write(
        tmp_path,
        "excel.csv",
        [
            "sku;name;category;unit;min_stock;unit_cost;tracks_expiry",
            "MED-HEP-5K;Heparin 5000 IU/mL, 5 mL;Medicines;vial;30;4,75;true",
        ],
        encoding="utf-8-sig",
    )

    result = import_products(session, path)

    assert result == ImportResult("excel.csv", 1, 0, 0)
    assert _products(session) == {
        "MED-HEP-5K": ("Heparin 5000 IU/mL, 5 mL", 0, 30, None, 1, Decimal("4.75"))
    }


def test_the_stock_of_a_tracked_product_comes_only_from_its_lots(session, tmp_path):
    path = _write(
        tmp_path,
        "p.csv",
        [HEADER, "MED-HEP-5K,Heparin,Medicines,vial,22,30,,1,4.75,true"],
    )

    with pytest.raises(ValidationError) as caught:
        import_products(session, path)

    assert [str(p) for p in caught.value.problems] == [
        "row 2, column 'stock': '22' cannot be set for a product that tracks "
        "expiry: its stock is the sum of its lots; leave it empty and use "
        "`medstock import lots`"
    ]


def _catalogue(session, tmp_path):
    import_products(
        session,
        _write(
            tmp_path,
            "catalogue.csv",
            [
                HEADER,
                "MED-HEP-5K,Heparin,Medicines,vial,,30,,1,4.75,true",
                "DRS-CRP-10,Crepe bandage,Dressings,roll,150,80,,12,0.75,false",
            ],
        ),
    )
    session.commit()


LOT_HEADER = "sku,lot_number,expiry_date,quantity"


def test_lots_import_creates_lots_and_stock_and_a_re_import_adjusts(session, tmp_path):
    _catalogue(session, tmp_path)
    first = _write(
        tmp_path,
        "lots.csv",
        [LOT_HEADER, "MED-HEP-5K,H1,2027-05-31,12", "MED-HEP-5K,H2,,10"],
    )
    count = _write(
        tmp_path,
        "count.csv",
        [LOT_HEADER, "MED-HEP-5K,H1,2027-05-31,9", "MED-HEP-5K,H3,2026-12-31,4"],
    )

    results = [import_lots(session, first), import_lots(session, count)]
    session.commit()

    assert results == [
        ImportResult("lots.csv", 2, 0, 1),
        ImportResult("count.csv", 1, 1, 1),
    ]
    lots = session.exec(select(Lot).order_by(Lot.lot_number)).all()
    assert [(lot.lot_number, lot.expiry_date, lot.quantity) for lot in lots] == [
        ("H1", date(2027, 5, 31), 9),
        ("H2", None, 10),
        ("H3", date(2026, 12, 31), 4),
    ]
    assert _products(session)["MED-HEP-5K"][1] == 23
    assert _movements(session)[-2:] == [
        ("ADJUST", 22, "import lots.csv"),
        ("ADJUST", 1, "import count.csv"),
    ]
    assert check_ledger(session) == []


def test_a_lots_file_with_five_bad_rows_reports_all_five_and_writes_nothing(
    session, tmp_path
):
    _catalogue(session, tmp_path)
    path = _write(
        tmp_path,
        "lots.csv",
        [
            LOT_HEADER,
            "MED-HEP-5K,H1,2027-05-31,12",
            "MED-XYZ,X1,2027-05-31,5",
            "DRS-CRP-10,C1,2027-05-31,5",
            "MED-HEP-5K,H2,2027-02-30,5",
            "MED-HEP-5K,H3,2027-06-30,-1",
            "MED-HEP-5K,H1,2027-05-31,3",
        ],
    )

    with pytest.raises(ValidationError) as caught:
        import_lots(session, path)

    assert [str(p) for p in caught.value.problems] == [
        "row 3, column 'sku': 'MED-XYZ' is not a known SKU; import it with "
        "`medstock import products` first",
        "row 4, column 'sku': 'DRS-CRP-10' does not track expiry, so it has no "
        "lots; set tracks_expiry to true in its products row first",
        "row 5, column 'expiry_date': '2027-02-30' is not a real date; write "
        "YYYY-MM-DD, such as 2027-03-31",
        "row 6, column 'quantity': '-1' is below 0; use 0 or more",
        "row 7, column 'lot_number': 'H1' already appears in row 2; keep one row "
        "for it",
    ]
    assert session.exec(select(Lot)).all() == []
    assert _products(session)["MED-HEP-5K"][1] == 0


SHORT_HEADER = "sku,name,category,unit,min_stock,unit_cost"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            [SHORT_HEADER, "E-9,x,y,u,5,1.00,"],
            "bad.csv has 1 problem; nothing was imported; fix the file and import "
            "it again:\nrow 2: has 7 fields but the header has 6; remove the extra "
            "',' (such as one at the end of the row) or quote the cell that "
            "contains ','",
        ),
        (
            [SHORT_HEADER, "E-8,x,y,u,5,1.00", "E-9,x,y,u,5,1.00,a,b"],
            "bad.csv has 1 problem; nothing was imported; fix the file and import "
            "it again:\nrow 3: has 8 fields but the header has 6; remove the extra "
            "',' (such as one at the end of the row) or quote the cell that "
            "contains ','",
        ),
        (
            [SHORT_HEADER, "E-8,x,y,u,5,1.00", 'E-9,"x,y,u,5,1.00'],
            'bad.csv cannot be read: a quote (") opens a cell in row 3 (line 3 of '
            "the file) and is never closed; add the closing quote or remove the "
            "opening one",
        ),
        (
            [SHORT_HEADER, 'E-9,"x" y,y,u,5,1.00'],
            'bad.csv cannot be read: row 2 (line 2 of the file) has a quote (") '
            'inside a cell; double it ("") or quote the whole cell',
        ),
        (
            [SHORT_HEADER.replace(",", "\t"), "E-9\tx\ty\tu\t5\t1.00"],
            "'bad.csv' is separated by tabs; export the sheet as CSV and use , or ; "
            "between cells",
        ),
        (
            [SHORT_HEADER + ",SKU", "E-9,x,y,u,5,1.00,E-9"],
            "bad.csv has 1 problem; nothing was imported; fix the file and import "
            "it again:\nrow 1, column 'sku': appears more than once in the header; "
            "keep one",
        ),
    ],
    ids=[
        "trailing-comma",
        "extra-fields",
        "open-quote",
        "stray-quote",
        "tabs",
        "twice",
    ],
)
def test_a_malformed_file_is_refused_naming_the_row_and_the_fix(
    session, tmp_path, lines, message
):
    path = _write(tmp_path, "bad.csv", lines)

    with pytest.raises(ValidationError) as caught:
        import_products(session, path)

    assert str(caught.value) == message
    assert _products(session) == {}


def test_whole_numbers_and_amounts_must_fit_both_databases(session, tmp_path):
    path = _write(
        tmp_path,
        "big.csv",
        [
            SHORT_HEADER + ",stock,pack_size",
            "E-1,x,y,u,5,1.00,9223372036854775807,",
            "E-2,x,y,u,3000000000,1.00,,",
            "E-3,x,y,u,99999999999999999999,1.00,,",
            "E-4,x,y,u,1e3,1.005,12.0,",
            "E-5,x,y,u,2147483647,10000000000.00,2147483647,",
            "E-6,x,y,u,1073741824,9999999999.99,,1",
            "E-7,x,y,u,1073741823,9999999999.99,2147483647,1",
        ],
    )

    with pytest.raises(ValidationError) as caught:
        import_products(session, path)

    above = (
        "is above 2147483647, the largest whole number MedStock stores; use "
        "2147483647 or less"
    )
    target = (
        "is too large: orders fill up to 2 * min_stock, rounded up to whole "
        "packs, which must stay within 2147483647; lower it or set max_stock"
    )
    assert [str(p) for p in caught.value.problems] == [
        f"row 2, column 'stock': '9223372036854775807' {above}",
        f"row 3, column 'min_stock': '3000000000' {above}",
        f"row 4, column 'min_stock': '99999999999999999999' {above}",
        "row 5, column 'min_stock': '1e3' is not a whole number; write digits "
        "only, such as 12",
        "row 5, column 'unit_cost': '1.005' has more than 2 decimals, and MedStock "
        "does not round amounts; write it in cents, such as 6.80",
        "row 5, column 'stock': '12.0' is not a whole number; write digits only, "
        "such as 12",
        f"row 6, column 'min_stock': '2147483647' {target}",
        "row 6, column 'unit_cost': '10000000000.00' is above 9999999999.99, the "
        "largest amount MedStock stores; check the value",
        f"row 7, column 'min_stock': '1073741824' {target}",
    ]
    assert _products(session) == {}


def test_the_largest_values_import_and_the_report_still_adds_them_up(session, tmp_path):
    path = _write(
        tmp_path,
        "largest.csv",
        [
            SHORT_HEADER + ",stock,max_stock",
            "E-1,x,y,u,1073741823,2.50,2147483647,",
            "E-2,x,y,u,0,2.50,2147483647,2147483647",
        ],
    )

    import_products(session, path)
    session.commit()
    metrics = compute_metrics(session, day=date(2026, 3, 10), timezone="UTC")

    assert (metrics["total_units"], metrics["inventory_value"]) == (
        2 * 2147483647,
        "10737418235.00",
    )


@pytest.mark.parametrize("year", ["0001", "1999", "2100", "2300"])
def test_an_expiry_date_outside_2000_to_2099_is_refused(session, tmp_path, year):
    _catalogue(session, tmp_path)
    path = _write(tmp_path, "lots.csv", [LOT_HEADER, f"MED-HEP-5K,H1,{year}-01-01,5"])

    with pytest.raises(ValidationError) as caught:
        import_lots(session, path)

    assert [str(p) for p in caught.value.problems] == [
        f"row 2, column 'expiry_date': '{year}-01-01' is outside the years 2000 to "
        "2099; check the year on the label and write YYYY-MM-DD, such as 2027-03-31"
    ]


def test_lots_that_add_up_past_the_largest_stock_are_refused(session, tmp_path):
    _catalogue(session, tmp_path)
    path = _write(
        tmp_path,
        "lots.csv",
        [LOT_HEADER, "MED-HEP-5K,H1,2027-01-31,2000000000", "MED-HEP-5K,H2,,200000000"],
    )

    with pytest.raises(ValidationError) as caught:
        import_lots(session, path)

    assert str(caught.value) == (
        "lots.csv would bring the stock of MED-HEP-5K to 2200000000, above "
        "2147483647, the largest whole number MedStock stores; nothing was "
        "imported; check the quantities"
    )
    assert session.exec(select(Lot)).all() == []


def test_unknown_columns_are_ignored_and_named_in_the_result(session, tmp_path):
    path = _write(
        tmp_path,
        "sheet.csv",
        [SHORT_HEADER + ",Notes,", "GLV-NIT-M,Nitrile gloves M,Gloves,box,40,6.80,ok,"],
    )

    result = import_products(session, path)

    assert str(result) == (
        "sheet.csv: 1 created, 0 updated, 0 stock adjustments; ignored columns: "
        "notes, (column 8)"
    )
    assert _products(session) == {
        "GLV-NIT-M": ("Nitrile gloves M", 0, 40, None, 1, Decimal("6.80"))
    }


def test_thousands_of_bad_rows_list_the_first_fifty_problems(session, tmp_path):
    rows = [f"E-{n},,c,u,5,1.00" for n in range(5000)]
    path = _write(tmp_path, "many.csv", [SHORT_HEADER, *rows])

    with pytest.raises(ValidationError) as caught:
        import_products(session, path)

    lines = str(caught.value).splitlines()
    assert len(caught.value.problems) == 5000
    assert (len(lines), lines[0], lines[50], lines[51]) == (
        52,
        "many.csv has 5000 problems; nothing was imported; fix the file and "
        "import it again:",
        "row 51, column 'name': is empty; every row needs a name",
        "and 4950 more problems",
    )
