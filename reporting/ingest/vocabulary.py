"""Words partners use: header synonyms, total-row labels, currencies, months, countries.

Everything here is data. Synonyms are written the way partners write them (with accents,
in their own script); `text.fold()` reduces both sides to the same form before they are
compared, so "Số hóa đơn", "so hoa don" and "SO HOA DON" all match one entry.
"""

# The tables below are data, laid out for reading rather than by the formatter.
# fmt: off

# Canonical fields a column can be mapped to, in export order (docs/report-pipeline.md).
CANONICAL_FIELDS = (
    "invoice_number",
    "invoice_date",
    "reseller",
    "end_customer",
    "end_customer_country",
    "vendor_sku",
    "partner_sku",
    "quantity",
    "unit_price",
    "amount",
    "currency",
)
IGNORE = "ignore"

# Header synonyms per field. The first block of each list is English, then German,
# French, Spanish, Italian/Dutch/Portuguese where common, Vietnamese and Japanese.
# Strong synonyms name the field unambiguously; weak ones ("date", "price") are scored
# lower so a more specific header in the same file wins.
FIELD_SYNONYMS: dict[str, list[str]] = {
    "invoice_number": [
        # abbreviations people type
        "invoice", "inv", "inv num", "invoice num", "bill no", "re no", "rg no", "rechn no",
        "rechnungs no", "beleg no", "rechnung", "no fact", "num fact", "no facture",
        "fact no", "no fra", "num fra", "fra no", "no factura", "nro factura", "factura",
        "ma hd", "hd so", "so chung tu", "so ct", "so hd gtgt", "伝票no", "請求書番号",
        "invoice number", "invoice no", "invoice #", "inv #", "inv no", "invoice id",
        "invoice ref", "invoice reference", "document number", "document no", "doc no",
        "bill no", "bill number", "billing document", "credit note number", "receipt no",
        "rechnungsnummer", "rechnungs nr", "rechnung nr", "rechnungsnr", "belegnummer",
        "beleg nr", "belegnr", "fakturanummer", "faktura nr",
        "numero de facture", "n de facture", "no de facture", "num facture", "no facture",
        "numero facture", "reference facture",
        "numero de factura", "n de factura", "no factura", "num factura", "numero factura",
        "folio", "factura no",
        "numero fattura", "factuurnummer", "numero da fatura",
        "so hoa don", "so hd", "ma hoa don", "hoa don so",
        "請求書番号", "請求番号", "伝票番号", "インボイス番号", "請求書no", "請求no",
        "发票号码", "发票号",
    ],
    "invoice_date": [
        "inv dt", "invoice dt", "inv date", "doc dt", "re datum", "rg datum", "rechn datum",
        "beleg datum", "belegdat", "date fact", "dt fact", "date de fact", "f fra",
        "fecha fra", "f factura", "fec factura", "fecha fact", "ngay hd", "ngay ct",
        "ngay hdon", "売上日付", "請求日付",
        "invoice date", "inv date", "document date", "doc date", "billing date",
        "date of invoice", "sale date", "sales date", "transaction date", "posting date",
        "rechnungsdatum", "belegdatum", "verkaufsdatum", "fakturadatum", "buchungsdatum",
        "date de facture", "date facture", "date de vente",
        "fecha de factura", "fecha factura", "fecha de venta", "fecha", "date", "datum",
        "ngay", "日付", "data",
        "data fattura", "factuurdatum", "data da fatura",
        "ngay hoa don", "ngay ban", "ngay lap", "ngay chung tu",
        "請求日", "請求書日付", "売上日", "伝票日付", "計上日", "発行日",
        "开票日期",
    ],
    "reseller": [
        "reseller", "reseller name", "sub reseller", "subreseller", "tier 2", "tier 2 partner",
        "dealer", "sub dealer", "var", "solution provider", "sold through",
        "wiederverkaufer", "handler", "fachhandler", "haendler", "wiederverkaeufer",
        "revendeur", "sous revendeur", "revendedor", "distribuidor secundario",
        "rivenditore", "dai ly", "ten dai ly", "nha phan phoi cap 2",
        "販売店", "再販業者", "二次店", "販売代理店",
    ],
    "end_customer": [
        "cust", "cust name", "customer nm", "kd name", "kunde name", "kd", "kdname",
        "nom cli", "raison sociale", "nombre cliente", "razon social", "ten kh", "kh",
        "ten khach", "khach", "顧客名称", "得意先名称",
        "end customer", "end customer name", "end user", "end user name", "customer",
        "customer name", "client", "client name", "sold to", "sold to name", "ship to name",
        "account", "account name", "buyer",
        "endkunde", "endkunde name", "kunde", "kundenname", "endabnehmer", "auftraggeber",
        "client final", "nom du client", "nom client", "utilisateur final",
        "cliente final", "cliente", "nombre del cliente", "usuario final",
        "cliente finale", "eindklant", "klant",
        "khach hang", "ten khach hang", "khach hang cuoi", "nguoi mua", "don vi mua",
        "顧客", "顧客名", "エンドユーザー", "エンドユーザ", "得意先", "得意先名", "最終顧客",
        "ユーザー名", "客户",
    ],
    "end_customer_country": [
        "country", "customer country", "end customer country", "end user country",
        "ship to country", "country code", "land", "kundenland", "pays", "pays client",
        "pais", "pais cliente", "paese", "quoc gia", "nuoc", "国", "国名", "国コード",
    ],
    "vendor_sku": [
        "pn", "p n", "mpn", "mfr pn", "part", "part num", "item", "item no", "artnr",
        "art no", "ref", "ref art", "ref prod", "cod art", "cod prod", "sp", "ma hh",
        "品目", "商品cd", "商品コードno", "型式",
        "sku", "vendor sku", "manufacturer sku", "mfr part no", "mfr part number",
        "manufacturer part number", "product code", "product number", "product no",
        "product id", "item code", "item number", "item no", "model", "model number",
        "part number", "part no", "material", "material number",
        "artikelnummer", "artikel nr", "art nr", "herstellerartikelnummer",
        "hersteller artikelnummer", "materialnummer", "produktnummer", "artikel",
        "reference", "ref produit", "code article", "reference produit", "ref article",
        "codigo", "referencia", "codigo de producto", "codigo producto", "cod articulo",
        "codice articolo", "artikelcode",
        "ma hang", "ma san pham", "ma sp", "ma hh", "ma vat tu",
        "品番", "型番", "商品コード", "製品コード", "品目コード", "メーカー品番",
    ],
    "partner_sku": [
        "partner sku", "our part no", "our part number", "internal sku", "internal part no",
        "distributor sku", "distributor part number", "reseller sku", "local sku",
        "eigene artikelnummer", "interne artikelnummer", "reference interne",
        "referencia interna", "ma noi bo", "社内品番", "自社品番",
    ],
    "quantity": [
        "qty sold", "mge", "mng", "anz", "stk anz", "qte", "qt", "ctd", "uds", "cant",
        "so lg", "sl ban", "数量計",
        "quantity", "qty", "units", "unit count", "pcs", "pieces", "count", "quantity sold",
        "menge", "anzahl", "stuck", "stk", "stueck", "quantite", "qte", "nombre",
        "cantidad", "cant", "unidades", "quantita", "aantal", "quantidade",
        "so luong", "sl", "数量", "個数", "台数", "数",
    ],
    "unit_price": [
        "unit pr", "u price", "unit prc", "up", "e preis", "einzelpr", "ep netto", "pu ht",
        "p u", "prix u", "precio u", "p unit", "dg", "don gia ban", "単価税抜",
        "unit price", "price", "unit cost", "price each", "each", "net price",
        "selling price", "sales price", "net unit price", "price per unit",
        "einzelpreis", "preis", "stuckpreis", "stueckpreis", "ep", "nettopreis",
        "netto einzelpreis", "vk preis",
        "prix unitaire", "pu", "prix", "prix unitaire ht", "precio unitario", "precio",
        "prezzo unitario", "prijs per stuk", "preco unitario",
        "don gia", "gia", "gia ban", "単価", "価格", "販売単価",
    ],
    "amount": [
        "amt", "net amt", "line amt", "ext amt", "ext", "gp", "ges preis", "gesamtpr",
        "mt ht", "mt", "mnt", "mnt ht", "imp", "importe neto", "tt", "thanh tien vnd",
        "tong", "金額計", "税抜金額",
        "amount", "total", "line total", "extended price", "ext price", "ext amount",
        "extended amount", "net amount", "total price", "line amount", "value",
        "sales amount", "revenue", "net sales", "total amount", "net value", "sales value",
        "gesamtpreis", "gesamtbetrag", "betrag", "umsatz", "nettobetrag", "wert",
        "positionswert", "nettowert", "gesamt",
        "montant", "montant total", "total ht", "prix total", "montant ht",
        "importe", "importe total", "monto", "valor", "importo", "bedrag", "valor total",
        "thanh tien", "tong tien", "so tien", "doanh so", "doanh thu", "gia tri",
        "金額", "合計金額", "売上金額", "売上", "売上高",
    ],
    "currency": [
        "cur code", "curr code", "whrg", "dev", "mon", "tt tien te", "dvtt",
        "currency", "curr", "ccy", "currency code", "cur", "wahrung", "waehrung", "whg",
        "devise", "monnaie", "moneda", "divisa", "valuta", "munt", "moeda",
        "tien te", "loai tien", "don vi tien", "通貨", "通貨コード",
    ],
}

# Names of another document's number or date: used for the invoice number or date only
# when the file has no column named so (a shop's export often knows only its orders or
# shipments) and no other column could be it, so a person would read them that way too.
FALLBACK_SYNONYMS: dict[str, list[str]] = {
    "invoice_number": [
        "order no", "order number", "order id", "sales order", "so no", "po no",
        "transaction id", "transaction no", "transaction number", "document", "doc",
        "delivery no", "delivery note", "ref no", "reference no",
        "auftragsnummer", "auftrags no", "bestellnummer", "lieferschein no",
        "lieferscheinnummer", "no commande", "numero de commande", "no de commande",
        "no pedido", "numero de pedido", "pedido", "albaran", "so don hang", "ma don hang",
        "don hang", "so phieu", "注文番号", "受注番号", "注文no", "受注no", "出荷番号",
    ],
    "invoice_date": [
        "ship date", "shipping date", "shipped date", "shipment date", "dispatch date",
        "delivery date", "order date", "transaction dt", "date shipped", "date ordered",
        "lieferdatum", "versanddatum", "auftragsdatum", "bestelldatum",
        "date d expedition", "date de livraison", "date de commande", "date commande",
        "fecha de envio", "fecha envio", "fecha de entrega", "fecha de pedido",
        "fecha pedido", "ngay giao hang", "ngay giao", "ngay dat hang", "ngay xuat",
        "ngay xuat kho", "出荷日", "納品日", "受注日", "注文日",
    ],
}

# Synonyms that are common words and so weaker evidence on their own.
WEAK_SYNONYMS = {
    "date", "fecha", "datum", "ngay", "日付", "data", "price", "preis", "prix", "precio", "gia",
    "total", "gesamt",
    "value", "wert", "valor", "account", "count", "nombre", "model", "material", "artikel",
    "reference", "codigo", "client", "kunde", "cliente", "each", "land", "数",
    "invoice", "rechnung", "factura", "item", "part", "mt", "imp", "ext", "tong", "kd", "kh",
    "sp", "mon", "dev", "cant", "qt",
}

# Words that, as a whole cell, label a totals/subtotals row rather than a sale.
TOTAL_LABELS = {
    "total", "totals", "grand total", "sub total", "subtotal", "sum", "sum total",
    "overall total", "report total", "total sales",
    "summe", "gesamt", "gesamtsumme", "zwischensumme", "endsumme", "gesamtbetrag",
    "total general", "sous total", "somme", "total generale",
    "suma", "suma total", "totale", "totaal", "subtotaal", "totalt", "razem", "итого", "всего",
    "tong cong", "tong", "cong", "tong so", "tong tien", "tong doanh so",
    "合計", "総計", "小計", "合 計", "総合計", "计", "合计", "总计",
}

# ISO 4217 codes in use, with their minor units where that is not 2.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}
ISO_CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    ZWL""".split()
)

# Currency symbols and local spellings. "$" and "¥" name several currencies: the
# partner's default currency wins when it is one of them (see `resolve_symbol`).
CURRENCY_SYMBOLS: dict[str, str] = {
    "$": "USD", "US$": "USD", "USD$": "USD", "€": "EUR", "EURO": "EUR", "EUROS": "EUR",
    "£": "GBP", "¥": "JPY", "円": "JPY", "￥": "JPY", "₫": "VND", "Đ": "VND", "đ": "VND",
    "VNĐ": "VND", "VNđ": "VND", "DONG": "VND", "₩": "KRW", "₹": "INR", "₽": "RUB", "₺": "TRY",
    "₪": "ILS", "฿": "THB", "₱": "PHP", "ZŁ": "PLN", "zł": "PLN", "KČ": "CZK", "Kč": "CZK",
    "FR.": "CHF", "SFR": "CHF", "R$": "BRL", "C$": "CAD", "CA$": "CAD", "A$": "AUD",
    "AU$": "AUD", "NZ$": "NZD", "S$": "SGD", "HK$": "HKD", "RM": "MYR", "RP": "IDR",
    "元": "CNY", "RMB": "CNY", "KR": "SEK",
}
DOLLAR_CURRENCIES = {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"}
YEN_YUAN_CURRENCIES = {"JPY", "CNY"}

# Month names and abbreviations (folded) -> month number, for "05-Sep-2026" and friends.
MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january januar janvier enero ene gennaio janeiro januari jänner jaenner janv",
        "feb february februar fevrier febrero febbraio fevereiro februari fev fevr",
        "mar march marz maerz mars marzo marco maart mrz",
        "apr april avril abril aprile avr",
        "may mai mayo maggio maio mei",
        "jun june juni juin junio giugno junho",
        "jul july juli juillet julio luglio julho juil",
        "aug august aout agosto augustus",
        "sep sept september septembre septiembre settembre setembro set",
        "oct october oktober octobre octubre ottobre outubro okt",
        "nov november novembre noviembre novembro",
        "dec december dezember decembre diciembre dicembre dezembro dez dic",
    ],
    start=1,
):
    for _name in _names.split():
        MONTH_NAMES[_name] = _number

# Countries partners write out in full, folded -> ISO 3166-1 alpha-2. Two-letter codes
# pass through; this table only needs the names and three-letter codes seen in reports.
COUNTRY_NAMES: dict[str, str] = {
    "germany": "DE", "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "duc": "DE",
    "deu": "DE", "ドイツ": "DE",
    "austria": "AT", "osterreich": "AT", "oesterreich": "AT", "autriche": "AT", "aut": "AT",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "suiza": "CH", "che": "CH",
    "france": "FR", "frankreich": "FR", "francia": "FR", "phap": "FR", "fra": "FR",
    "spain": "ES", "spanien": "ES", "espagne": "ES", "espana": "ES", "esp": "ES",
    "italy": "IT", "italien": "IT", "italie": "IT", "italia": "IT", "ita": "IT",
    "netherlands": "NL", "niederlande": "NL", "pays bas": "NL", "nld": "NL",
    "belgium": "BE", "belgien": "BE", "belgique": "BE", "bel": "BE",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "gbr": "GB",
    "ireland": "IE", "irl": "IE", "poland": "PL", "polen": "PL", "pol": "PL",
    "united states": "US", "united states of america": "US", "usa": "US", "u s a": "US",
    "vereinigte staaten": "US", "etats unis": "US", "estados unidos": "US",
    "canada": "CA", "kanada": "CA", "can": "CA", "mexico": "MX", "mex": "MX",
    "brazil": "BR", "brasil": "BR", "bra": "BR",
    "japan": "JP", "japon": "JP", "nhat ban": "JP", "jpn": "JP", "日本": "JP",
    "vietnam": "VN", "viet nam": "VN", "vnm": "VN", "ベトナム": "VN",
    "china": "CN", "chn": "CN", "中国": "CN", "trung quoc": "CN",
    "singapore": "SG", "sgp": "SG", "thailand": "TH", "thai lan": "TH", "tha": "TH",
    "india": "IN", "ind": "IN", "australia": "AU", "aus": "AU", "korea": "KR",
    "south korea": "KR", "han quoc": "KR", "kor": "KR", "韓国": "KR",
}
ISO_COUNTRIES = frozenset(
    """AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA
    CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FR GA
    GB GD GE GH GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH
    KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MK ML MM MN MO MR MT MU
    MV MW MX MY MZ NA NE NG NI NL NO NP NZ OM PA PE PG PH PK PL PR PT PY QA RO RS RU RW SA SB
    SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TW TZ UA UG
    US UY UZ VA VC VE VN VU WS XK YE ZA ZM ZW""".split()
)
# fmt: on
