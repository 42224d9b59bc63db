"""`disburse import purchase-orders FILE.csv` with hostile cells (issue 12, items 13 and 14): digits from other
scripts as quantities and prices, and control or bidirectional characters in a number or a name. The file is
rejected whole, every fault named by row and column; nothing is imported."""

import main
from tests.integration.test_ap_cli_import import _write, env  # noqa: F401

HOSTILE = ("po_number,vendor,line_no,item,quantity,unit_of_measure,unit_price,fund,department,object_code\n"
           "PO-H-1,V-1001,1,stacking chair,\uff11\uff10,each,120.00,100,PW,5710\n"
           "PO-H-2,V-1001,1,desk,2,each,\u0664\u0665\u0660.\u0660\u0660,100,PW,5710\n"
           "PO-H-3\u202e,V-1001,1,lamp,3,each,40.00,100,PW,5710\n"
           "PO-H-4,V-1001,1,lamp\x00shade,3,each,40.00,100,PW,5710\n")


def test_other_scripts_digits_and_hidden_characters_reject_the_file_with_row_and_column(env, capsys):
    tmp, _, ap = env
    assert main.cli(["import", "purchase-orders", _write(tmp / "hostile.csv", HOSTILE)]) != 0
    err = capsys.readouterr().err
    assert "rejected, nothing imported" in err
    assert "row 2, column quantity" in err and "ASCII digits" in err
    assert "row 3, column unit_price" in err
    assert "row 4, column po_number: holds the control or bidirectional character U+202E" in err
    assert "row 5, column item: holds the control or bidirectional character U+0000" in err
    assert ap.purchase_orders.list(after=None, limit=10) == []
