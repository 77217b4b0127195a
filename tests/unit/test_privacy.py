from voc.privacy import pseudonymise, scrub


def test_pseudonyms_are_stable_per_salt_and_hide_the_name():
    a = pseudonymise("huskymom_tara", "salt-1")
    assert a == pseudonymise("HuskyMom_Tara ", "salt-1")
    assert a != pseudonymise("huskymom_tara", "salt-2")
    assert "tara" not in a and a.startswith("a_")
    assert pseudonymise(None, "s") is None and pseudonymise("  ", "s") is None


def test_scrub_masks_contacts_but_keeps_prices_years_and_models():
    text = ("email me at jen.k.miller@gmail.com or call (555) 201-7744 / +1 415 555 0199, "
            "ask u/spammer99. Paid $549 in 2025 for the D7 Pro, 3200 Pa suction, 90 min runtime.")
    out = scrub(text)
    assert "gmail" not in out and "201-7744" not in out and "415 555" not in out and "spammer99" not in out
    assert out.count("[phone]") == 2 and "[email]" in out and "[user]" in out
    assert "$549" in out and "2025" in out and "D7 Pro" in out and "3200 Pa" in out
