"""Fill Vietnamese msgstrs of a catalogue from a Python dict file, keeping what is there.

Usage: translate.py CATALOGUE.po TRANSLATIONS.py  (the .py defines VI = {msgid: msgstr}
and optionally VI_PLURAL = {msgid: {0: msgstr}}). Prints what is still untranslated.
Vietnamese has one plural form.
"""

import runpy
import sys

import polib


def main(po_path: str, translations_path: str) -> int:
    table = runpy.run_path(translations_path)
    singular, plural = table.get("VI", {}), table.get("VI_PLURAL", {})
    po = polib.pofile(po_path)
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "vi"
    for entry in po:
        # A fuzzy entry holds gettext's guess from a similar string (often with other
        # placeholders): it counts as untranslated until the table gives its translation,
        # and only then does the flag go.
        fuzzy = "fuzzy" in entry.flags
        if entry.msgid_plural and entry.msgid in plural:
            entry.msgstr_plural = {k: v for k, v in plural[entry.msgid].items()}
        elif not entry.msgid_plural and entry.msgid in singular and (fuzzy or not entry.msgstr):
            entry.msgstr = singular[entry.msgid]
        else:
            continue
        if fuzzy:
            entry.flags.remove("fuzzy")
    po.save()
    missing = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    for msgid in missing:
        print("untranslated:", repr(msgid))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
