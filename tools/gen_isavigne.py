#!/usr/bin/env python3
"""Deterministic generator of realistic iSaVigne export sets (pg_crm tests, demo, benchmarks).

Usage:
    python3 tools/gen_isavigne.py --out DIR [--customers 50000] [--products 2000]
        [--lines 1000000] [--seed 42] [--encoding windows-1252|utf-8] [--bom]
        [--bad-rows 0] [--change-fraction 0.0] [--only ventes]

Writes into DIR (see docs/demo-data.md for every column):
    clients.csv   produits.csv   ventes.csv   stock.csv   bad_rows.tsv
Files look like iSaVigne Windows exports: ';' delimiter, CRLF line ends, one header row,
windows-1252 by default (strict: no character outside cp1252 is ever generated), or
UTF-8 (no BOM unless --bom). Decimal comma; prices >= 1 000 sometimes grouped with U+00A0.

Determinism: the same arguments give byte-identical files. Every file has its own
random.Random seeded with "<seed>:<file>", and nothing depends on time (dates are relative
to the fixed reference date 2024-12-31). Consequences that tests may rely on:
  * --bad-rows N only changes the N chosen ventes.csv lines (and up to 2 clients.csv lines);
    every other byte is the same as with --bad-rows 0.
  * --change-fraction F changes exactly round(F * lines) good ventes.csv lines (Qté and
    Montant HT) and leaves everything else byte-identical to the F=0 set.
  * --only ventes writes a ventes.csv identical to the one of the full set.
  * bad_rows.tsv (UTF-8, LF, tab-separated: file, line, code, reason) lists every
    deliberately bad line; line numbers are physical (header = line 1). Always written
    (header only when --bad-rows 0), except with --only, where it lists ventes.csv only.

Standard library only (Python >= 3.8).
"""

import argparse
import datetime
import os
import sys
import time
import unicodedata
from bisect import bisect_left
from random import Random

REF_DATE = datetime.date(2024, 12, 31)
NBSP = "\u00a0"
CRLF = "\r\n"

CLIENTS_HEADER = ["Code client", "Civilité", "Nom", "Prénom", "Société", "E-mail", "Tél.",
                  "Adresse", "CP", "Ville", "Pays", "Date création", "Catégorie"]
PRODUITS_HEADER = ["Réf.", "Désignation", "Couleur", "Appellation", "Millésime",
                   "Conditionnement", "Contenance", "PU HT", "Prix achat HT", "Actif"]
VENTES_HEADER = ["N° Vente", "Date", "Code client", "Réf.", "Désignation", "Qté",
                 "Conditionnement", "PU HT", "Remise %", "Montant HT", "Canal"]
STOCK_HEADER = ["Réf.", "Désignation", "Entrepôt", "Stock", "Réservé", "Date inventaire"]

# --------------------------------------------------------------------------- reference data

PRENOMS_F = ["Hélène", "Zoë", "Gaëlle", "Anaïs", "Cécile", "Élodie", "Chloé", "Inès", "Léa",
             "Thaïs", "Aurélie", "Clémence", "Amélie", "Océane", "Agnès", "Marie-Thérèse",
             "Nathalie", "Sophie", "Anne", "Camille", "Emma", "Isabelle", "Françoise",
             "Valérie", "Noémie", "Maëlys", "Josée", "Béatrice", "Sandrine", "Christine"]
PRENOMS_M = ["François", "Loïc", "Jérôme", "Noël", "Benoît", "Éric", "Frédéric", "Gérard",
             "Maël", "Mathéo", "Raphaël", "Stéphane", "Joël", "Jean-François", "Pierre",
             "Michel", "Jean", "Paul", "Lucas", "Hervé", "Rémi", "Grégoire", "Thierry",
             "Olivier", "Sébastien", "André", "Bruno", "Léon", "Aimé", "Côme"]
NOMS = ["Dupont", "Lefèvre", "Müller", "Gauthier", "Bérard", "Mercier", "Fabre", "Girard",
        "Rousseau", "Noël", "Perrin", "Brûlé", "Lemaître", "Chevallier", "Dubois", "Moreau",
        "Laurent", "Garnier", "Faure", "André", "Roux", "Fournier", "Morel", "Giraud", "Bonnet",
        "Lambert", "Fontaine", "Leroy", "Rivière", "Desprès", "Lœuillet", "Cœurdacier",
        "Béranger", "Hébert", "Thévenin", "D'Almeida", "Le Goff", "de La Tour", "Pétrel",
        "Ménard", "Guérin", "Hélie", "Bénard", "Mégret", "Crémieux", "Jégou", "Lefèbvre",
        "Dujardin", "Cazenave", "Etchegaray", "Schœlcher", "Öztürk", "Nuñez", "Martin",
        "Bernard", "Petit", "Durand", "Lefort", "Vidal", "Barthélémy"]
CITIES_FR = [("01000", "Bourg-en-Bresse"), ("02100", "Saint-Quentin"), ("03000", "Moulins"),
             ("04000", "Digne-les-Bains"), ("05000", "Gap"), ("06000", "Nice"),
             ("06400", "Cannes"), ("07000", "Privas"), ("09000", "Foix"),
             ("13001", "Marseille"), ("13100", "Aix-en-Provence"), ("14000", "Caen"),
             ("17000", "La Rochelle"), ("18300", "Sancerre"), ("20000", "Ajaccio"),
             ("21000", "Dijon"), ("21200", "Beaune"), ("25000", "Besançon"),
             ("26600", "Tain-l'Hermitage"), ("29200", "Brest"), ("31000", "Toulouse"),
             ("33000", "Bordeaux"), ("33250", "Pauillac"), ("33330", "Saint-Émilion"),
             ("34000", "Montpellier"), ("35000", "Rennes"), ("37000", "Tours"),
             ("38000", "Grenoble"), ("39600", "Arbois"), ("44000", "Nantes"),
             ("45000", "Orléans"), ("49000", "Angers"), ("49400", "Saumur"),
             ("51100", "Reims"), ("51200", "Épernay"), ("54000", "Nancy"), ("57000", "Metz"),
             ("58150", "Pouilly-sur-Loire"), ("59000", "Lille"), ("63000", "Clermont-Ferrand"),
             ("64000", "Pau"), ("67000", "Strasbourg"), ("68000", "Colmar"),
             ("69001", "Lyon"), ("69002", "Lyon"), ("69400", "Villefranche-sur-Saône"),
             ("69420", "Ampuis"), ("71100", "Chalon-sur-Saône"), ("73000", "Chambéry"),
             ("74000", "Annecy"), ("75001", "Paris"), ("75008", "Paris"), ("75011", "Paris"),
             ("75015", "Paris"), ("75116", "Paris"), ("76000", "Rouen"),
             ("78000", "Versailles"), ("80000", "Amiens"), ("83000", "Toulon"),
             ("84000", "Avignon"), ("84230", "Châteauneuf-du-Pape"), ("87000", "Limoges"),
             ("89800", "Chablis"), ("92200", "Neuilly-sur-Seine"), ("94300", "Vincennes"),
             ("97400", "Saint-Denis"), ("49190", "Rochefort-sur-Loire"), ("08000", "Charleville-Mézières")]
# (pays, [(cp, ville)], phone formatter key)
CITIES_EXPORT = [("Belgique", [("1000", "Bruxelles"), ("4000", "Liège")], "be"),
                 ("Suisse", [("1204", "Genève"), ("8001", "Zürich")], "ch"),
                 ("Allemagne", [("10115", "Berlin"), ("80331", "München")], "de"),
                 ("Royaume-Uni", [("SW1A 1AA", "London"), ("EH1 1YZ", "Edinburgh")], "uk"),
                 ("États-Unis", [("10001", "New York"), ("94105", "San Francisco")], "us"),
                 ("Japon", [("100-0001", "Tokyo"), ("530-0001", "Osaka")], "jp"),
                 ("Pays-Bas", [("1012 JS", "Amsterdam")], "nl"),
                 ("Danemark", [("1050", "København")], "dk"),
                 ("Luxembourg", [("L-1009", "Luxembourg")], "lu"),
                 ("Canada", [("H2X 1Y4", "Montréal"), ("G1R 4P5", "Québec")], "us")]
VOIES = ["rue", "rue", "avenue", "boulevard", "place", "chemin", "allée", "impasse", "route",
         "quai"]
VOIE_NAMES = ["des Écoles", "Jean-Jaurès", "Victor-Hugo", "de la République",
              "du Général-de-Gaulle", "Saint-Éloi", "des Vignerons", "de l'Église", "du Château",
              "des Hêtres", "Pasteur", "Émile-Zola", "de la Gare", "des Tilleuls", "du Moulin",
              "Gambetta", "des Crêtes", "de la Forêt", "Clémenceau", "Notre-Dame", "du Pressoir",
              "d'Orléans", "des Cèdres", "Sainte-Anne"]
LIEUX_DITS = ["Lieu-dit Les Crêts", "Le Bourg", "Hameau de Bel-Air", "Lieu-dit La Côte-Rôtie",
              "Les Grands Prés", "Domaine de la Forêt, bâtiment B", "Résidence Les Châtaigniers, apt 12"]
EMAIL_DOMAINS = ["orange.fr", "free.fr", "gmail.com", "wanadoo.fr", "laposte.net", "sfr.fr",
                 "hotmail.fr", "yahoo.fr", "outlook.fr", "icloud.com", "bbox.fr"]
CHR_NAMES = ["Restaurant L'Étoile", "Brasserie du Marché", "Hôtel Beau Séjour",
             "Le Bistrot de Léon", "Bar à Vins Le Zinc", "Auberge de la Forêt",
             "Restaurant Le Pré Fleuri", "Hôtel-Restaurant Les Tilleuls", "Café de la Gare",
             "La Table d'Hélène", "Le Relais du Château", "Crêperie Ty Gwenn", "Chez Noël",
             "Restaurant L'Œnothèque", "Les Caudalies SAS", "Bouchon Lyonnais Chez Zoë"]
CAVISTE_NAMES = ["Cave du Château SARL", "SAS Les Vins d'Anjou", "La Cave à Zoé",
                 "EURL Vins et Saveurs", "Nicolas Beaune", "Cave Saint-Éloi",
                 "Le Cellier de François", "Vinothèque de Bourgogne SARL", "Caves Réunies SA",
                 "Aux Grands Crus de France", "L'Échanson SARL", "Cave Coopérative de Tain",
                 "Maison Lefèvre & Fils", "Le Comptoir des Vignes"]
EXPORT_NAMES = {"Belgique": ["Maison du Vin Bruxelles SPRL", "Les Caves de Liège SRL"],
                "Suisse": ["Vinothèque de Genève SA", "Weinkeller Zürich AG"],
                "Allemagne": ["Weinhandel Müller GmbH", "Französische Weine Berlin GmbH"],
                "Royaume-Uni": ["Wine Export Ltd", "Berry & Sons Ltd"],
                "États-Unis": ["French Cellar Imports LLC", "Bay Area Wine Co."],
                "Japon": ["Tokyo Fine Wines K.K.", "Osaka Vins de France K.K."],
                "Pays-Bas": ["De Wijnkelder B.V."],
                "Danemark": ["Nordic Wine Import ApS"],
                "Luxembourg": ["Caves du Grand-Duché S.à r.l."],
                "Canada": ["Vins Fins Montréal Inc.", "Importations Québec Vins Ltée"]}
CATEGORIES = ["Particulier", "CHR", "Caviste", "Export"]
CATEGORY_WEIGHTS = [75, 10, 8, 7]

# appellation, colours, producer style, (min, max) bottle price in euros, vintage probability
APPELLATIONS = [
    ("Saint-Émilion Grand Cru", ["Rouge"], "chateau", (25, 180), 1.0),
    ("Pauillac", ["Rouge"], "chateau", (40, 450), 1.0),
    ("Margaux", ["Rouge"], "chateau", (35, 600), 1.0),
    ("Pessac-Léognan", ["Rouge", "Blanc"], "chateau", (30, 250), 1.0),
    ("Sauternes", ["Liquoreux"], "chateau", (25, 350), 1.0),
    ("Bordeaux Supérieur", ["Rouge"], "chateau", (7, 18), 0.95),
    ("Chablis", ["Blanc"], "domaine", (14, 28), 0.95),
    ("Chablis Premier Cru", ["Blanc"], "domaine", (25, 55), 1.0),
    ("Meursault", ["Blanc"], "domaine", (45, 120), 1.0),
    ("Gevrey-Chambertin", ["Rouge"], "domaine", (45, 160), 1.0),
    ("Pommard", ["Rouge"], "domaine", (40, 110), 1.0),
    ("Bourgogne Aligoté", ["Blanc"], "domaine", (9, 16), 0.9),
    ("Châteauneuf-du-Pape", ["Rouge", "Blanc"], "domaine", (28, 120), 1.0),
    ("Côte-Rôtie", ["Rouge"], "domaine", (45, 180), 1.0),
    ("Crozes-Hermitage", ["Rouge", "Blanc"], "domaine", (15, 35), 1.0),
    ("Condrieu", ["Blanc"], "domaine", (38, 80), 1.0),
    ("Côtes du Rhône", ["Rouge", "Rosé"], "domaine", (7, 15), 0.9),
    ("Sancerre", ["Blanc", "Rouge", "Rosé"], "domaine", (15, 35), 1.0),
    ("Pouilly-Fumé", ["Blanc"], "domaine", (16, 40), 1.0),
    ("Vouvray", ["Blanc", "Effervescent", "Liquoreux"], "domaine", (12, 40), 0.8),
    ("Muscadet Sèvre-et-Maine", ["Blanc"], "domaine", (7, 18), 1.0),
    ("Saumur-Champigny", ["Rouge"], "domaine", (11, 28), 1.0),
    ("Rosé d'Anjou", ["Rosé"], "domaine", (6, 11), 0.6),
    ("Coteaux du Layon", ["Liquoreux"], "domaine", (14, 45), 1.0),
    ("Côtes de Provence", ["Rosé", "Rouge", "Blanc"], "chateau", (10, 35), 0.9),
    ("Bandol", ["Rouge", "Rosé"], "domaine", (20, 55), 1.0),
    ("Tavel", ["Rosé"], "domaine", (12, 22), 1.0),
    ("Champagne", ["Effervescent"], "maison", (28, 250), 0.25),
    ("Crémant d'Alsace", ["Effervescent"], "domaine", (9, 18), 0.1),
    ("Crémant de Loire", ["Effervescent"], "domaine", (9, 16), 0.1),
    ("Crémant de Bourgogne", ["Effervescent"], "domaine", (10, 20), 0.1),
    ("Alsace Gewurztraminer", ["Blanc"], "domaine", (11, 30), 1.0),
    ("Alsace Riesling Grand Cru", ["Blanc"], "domaine", (20, 60), 1.0),
    ("Jurançon", ["Liquoreux", "Blanc"], "domaine", (14, 40), 1.0),
    ("Monbazillac", ["Liquoreux"], "chateau", (10, 30), 1.0),
    ("Morgon", ["Rouge"], "domaine", (12, 25), 1.0),
    ("Fleurie", ["Rouge"], "domaine", (12, 24), 1.0),
    ("Cahors", ["Rouge"], "chateau", (9, 35), 1.0),
    ("Madiran", ["Rouge"], "chateau", (10, 35), 1.0),
    ("Côtes du Jura", ["Blanc"], "domaine", (14, 30), 1.0),
    ("Château-Chalon", ["Blanc"], "domaine", (45, 90), 1.0),
    ("Pic-Saint-Loup", ["Rouge"], "domaine", (12, 35), 1.0),
]
CHATEAUX = ["Château Margaux", "Château des Tourelles", "Château La Fleur-Pétrus",
            "Château Haut-Brézé", "Château de l'Étang", "Château Bel-Air", "Château Lagrève",
            "Château Beauséjour", "Château Pichon-Bérard", "Château La Croix-Gaël",
            "Château Montrosé", "Château du Prieuré", "Château Les Crêtes", "Château Sainte-Anne",
            "Château de Fonbrûlé", "Château Côte-Chaude"]
MAISONS = ["Maison Lefèvre", "Maison Héritier", "Maison Gauthier & Fils", "Maison Bérard",
           "Champagne Noël Perrin", "Champagne Ménard-Cœur", "Maison Thévenin"]
DOMAINES_FAM = ["Dupont", "Lefèvre", "Bérard", "Mercier", "Gauthier", "Brûlé", "Thévenin",
                "Hébert", "Chevallier", "Guérin", "des Crêtes", "du Clos Saint-Éloi",
                "de la Côte", "Müller", "Lœuillet", "des Héritiers Noël", "Méjean", "de l'Aïeul"]
CUVEES = {
    "Rouge": ["Vieilles Vignes", "Cuvée Prestige", "Les Crêts", "Cœur de Cuvée",
              "Cuvée Élégance", "Clos des Mûres", "", "", "", ""],
    "Blanc": ["Vieilles Vignes", "Les Pierres Dorées", "Cuvée Réservée", "Côte Fleurie",
              "Terroir de Silex", "", "", "", ""],
    "Rosé": ["L'Œil de Perdrix", "Cuvée Éléonore", "Pétale de Rose", "", "", ""],
    "Effervescent": ["Brut", "Brut", "Brut Rosé", "Extra-Brut", "Blanc de Blancs",
                     "Brut Réserve", "Demi-Sec"],
    "Liquoreux": ["Sélection de Grains Nobles", "Cuvée Botrytis", "Moelleux", "", ""],
}
# label, contenance, number of bottles, volume factor vs a 75 cl bottle, weight
CONDITIONNEMENTS = [
    ("Bouteille 75cl", "75 cl", 1, 1.0, 50),
    ("Magnum 1,5L", "1,5 L", 1, 2.15, 8),
    ("Demi-bouteille 37,5cl", "37,5 cl", 1, 0.55, 5),
    ("Caisse 6x75cl", "75 cl", 6, 1.0, 8),
    ("Carton de 12", "75 cl", 12, 1.0, 6),
    ("CT6", "75 cl", 6, 1.0, 5),
    ("CB12", "75 cl", 12, 1.0, 3),
    ("Jéroboam 3L", "3 L", 1, 4.6, 1),
    ("BIB 5L", "5 L", 1, 4.0, 2),
    ("BIB 3L", "3 L", 1, 2.5, 1),
    ("Coffret 3 bouteilles", "75 cl", 3, 1.05, 3),
    ("Carton 6 magnums", "1,5 L", 6, 2.1, 1),
    ("Caisse bois 3 magnums", "1,5 L", 3, 2.15, 1),
    ("Clavelin 62cl", "62 cl", 1, 1.0, 0),     # Jura only (vin jaune)
    ("Pot lyonnais 46cl", "46 cl", 1, 0.65, 1),
    ("Bouteille 50cl", "50 cl", 1, 0.7, 0),    # liquoreux only
]
ENTREPOTS = ["Chai principal", "Dépôt Paris"]
# canal choice tables by category
CANAUX = {
    "Particulier": ["Caveau"] * 45 + ["Internet"] * 35 + ["Salon"] * 20,
    "CHR": ["CHR"] * 90 + ["Caveau"] * 10,
    "Caviste": ["CHR"] * 50 + ["Caveau"] * 30 + ["Salon"] * 20,
    "Export": ["Export"] * 95 + ["Salon"] * 5,
}
QTY_TABLE = {  # quantity when the product is a single container (bottle, magnum, BIB...)
    "Particulier": [1] * 30 + [2] * 18 + [3] * 12 + [4] * 5 + [6] * 18 + [12] * 10 + [5, 7, 8, 9, 10, 11, 24],
    "CHR": [6] * 30 + [12] * 35 + [3] * 5 + [18] * 5 + [24] * 15 + [36] * 5 + [60] * 3 + [120] * 2,
    "Caviste": [6] * 30 + [12] * 35 + [18] * 5 + [24] * 15 + [36] * 8 + [60] * 5 + [120] * 2,
    "Export": [12] * 20 + [24] * 20 + [60] * 20 + [120] * 20 + [300] * 10 + [600] * 10,
}
QTY_TABLE_CASE = {  # quantity when the product is a case / carton / coffret
    "Particulier": [1] * 70 + [2] * 20 + [3] * 6 + [4] * 2 + [5, 6],
    "CHR": [1] * 40 + [2] * 30 + [3] * 15 + [5] * 10 + [10] * 5,
    "Caviste": [1] * 30 + [2] * 30 + [3] * 15 + [4] * 10 + [6] * 10 + [10] * 5,
    "Export": [5] * 20 + [10] * 30 + [20] * 25 + [50] * 15 + [100] * 10,
}
REMISE_TABLE = {  # per mille
    "Particulier": [0] * 80 + [50] * 12 + [100] * 6 + [150] * 2,
    "CHR": [0] * 30 + [50] * 20 + [100] * 30 + [125] * 10 + [150] * 10,
    "Caviste": [0] * 20 + [100] * 30 + [150] * 25 + [200] * 20 + [250] * 5,
    "Export": [0] * 30 + [75] * 20 + [100] * 20 + [200] * 20 + [300] * 10,
}
ORDER_SIZES = [1] * 35 + [2] * 25 + [3] * 15 + [4] * 10 + [5] * 8 + [6] * 7

# ventes.csv bad-row kinds, used in this order (then cycling)
VENTES_BAD_KINDS = [
    ("bad_date", "unparseable date '31/02/2024' in column Date"),
    ("bad_date", "unparseable date 'hier' in column Date"),
    ("bad_quantity", "non-numeric quantity 'douze' in column Qté"),
    ("ragged_row", "ragged row: 10 fields instead of 11 (Remise % missing)"),
    ("unknown_packaging", "unknown packaging 'Conditionnement spécial' in column Conditionnement"),
    ("empty_customer", "empty Code client"),
]
CLIENTS_BAD_KINDS = [
    ("empty_customer", "empty Code client"),
    ("bad_date", "unparseable date '31/02/2023' in column Date création"),
]

# --------------------------------------------------------------------------- helpers


def fmt_date(d):
    return "%02d/%02d/%04d" % (d.day, d.month, d.year)


def fmt_cents(c, group=False):
    """1234.5 euros as cents -> '1234,50' or, grouped, '1\u00a0234,50'."""
    neg = c < 0
    c = -c if neg else c
    euros, cents = divmod(c, 100)
    s = str(euros)
    if group and euros >= 1000:
        parts = []
        while len(s) > 3:
            parts.append(s[-3:])
            s = s[:-3]
        parts.append(s)
        s = NBSP.join(reversed(parts))
    return ("-" if neg else "") + s + "," + ("%02d" % cents)


def fmt_permille(r):
    return "%d,%d" % divmod(r, 10)


def ascii_fold(s):
    s = s.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in s if not unicodedata.combining(ch))


def slug(s):
    s = ascii_fold(s).lower()
    return "".join(ch for ch in s if ch.isalnum())


def cum(weights):
    out, t = [], 0
    for w in weights:
        t += w
        out.append(t)
    return out


def pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


# --------------------------------------------------------------------------- phones


def fr_phone(rng, cp):
    if rng.random() < 0.6:
        d = [0, pick(rng, [6, 6, 6, 7])]
    else:
        dep = int(cp[:2]) if cp[:2].isdigit() else 75
        zone = 1 if dep in (75, 77, 78, 91, 92, 93, 94, 95) else \
            2 if dep in (14, 17, 29, 35, 37, 44, 45, 49, 76, 97) else \
            3 if dep in (2, 8, 21, 25, 39, 51, 54, 57, 59, 67, 68, 71, 80, 89) else \
            4 if dep in (1, 3, 4, 5, 6, 7, 13, 20, 26, 34, 38, 63, 69, 73, 74, 83, 84) else 5
        d = [0, zone]
    d += [rng.randrange(10) for _ in range(8)]
    s = "".join(map(str, d))
    pairs = [s[i:i + 2] for i in range(0, 10, 2)]
    nat = s[1:]
    f = rng.randrange(10)
    if f <= 2:
        return " ".join(pairs)
    if f == 3:
        return ".".join(pairs)
    if f == 4:
        return s
    if f == 5:
        return "+33 " + nat[0] + " " + " ".join(nat[i:i + 2] for i in range(1, 9, 2))
    if f == 6:
        return "0033" + nat
    if f == 7:
        return "+33 (0)" + nat[0] + " " + " ".join(nat[i:i + 2] for i in range(1, 9, 2))
    if f == 8:
        return "-".join(pairs)
    return "+33" + nat


def foreign_phone(rng, key):
    n = lambda k: "".join(str(rng.randrange(10)) for _ in range(k))
    if key == "be":
        return "+32 2 %s %s %s" % (n(3), n(2), n(2))
    if key == "ch":
        return "+41 22 %s %s %s" % (n(3), n(2), n(2))
    if key == "de":
        return "+49 30 " + n(7)
    if key == "uk":
        return "+44 20 %s %s" % (n(4), n(4))
    if key == "jp":
        return "+81 3-%s-%s" % (n(4), n(4))
    if key == "nl":
        return "+31 20 %s %s" % (n(3), n(4))
    if key == "dk":
        return "+45 %s %s %s %s" % (n(2), n(2), n(2), n(2))
    if key == "lu":
        return "+352 %s %s" % (n(3), n(3))
    return "+1 (%s) %s-%s" % (n(3), n(3), n(4))


# --------------------------------------------------------------------------- model


def build_clients(seed, n):
    """Returns (codes, categories, rows) where rows are lists of 13 strings."""
    rng = Random("%s:clients" % seed)
    width = max(6, len(str(n)))
    start = datetime.date(2008, 1, 1)
    span = (REF_DATE - start).days
    days = sorted(rng.randrange(span + 1) for _ in range(n))
    cw = cum(CATEGORY_WEIGHTS)
    codes, cats, rows = [], [], []
    for i in range(n):
        code = "C" + str(i + 1).zfill(width)
        created = fmt_date(start + datetime.timedelta(days=days[i]))
        # ~1 % near-duplicates of an earlier private customer (CRM dedup material)
        if i > 20 and rng.random() < 0.01:
            src = rows[rng.randrange(i)]
            if src[12] == "Particulier":
                row = list(src)
                row[0], row[11] = code, created
                if row[5]:
                    row[5] = row[5].strip().upper() if rng.random() < 0.5 else " " + row[5].strip().lower()
                row[6] = fr_phone(rng, row[8]) if row[10] == "France" and rng.random() < 0.5 else row[6]
                if rng.random() < 0.5:
                    row[2] = row[2].upper()
                codes.append(code)
                cats.append(row[12])
                rows.append(row)
                continue
        cat = CATEGORIES[bisect_left(cw, rng.random() * cw[-1] + 1e-9)]
        female = rng.random() < 0.5
        prenom = pick(rng, PRENOMS_F if female else PRENOMS_M)
        nom = pick(rng, NOMS)
        civ = "Mme" if female else "M."
        r = rng.random()
        if cat == "Particulier" and r < 0.08:
            civ = "M. et Mme"
        elif r < 0.12:
            civ = ""
        societe = ""
        if cat == "CHR":
            societe = pick(rng, CHR_NAMES)
        elif cat == "Caviste":
            societe = pick(rng, CAVISTE_NAMES)
        elif cat == "Export":
            export = pick(rng, CITIES_EXPORT)
            societe = pick(rng, EXPORT_NAMES[export[0]])
        if societe and rng.random() < 0.15:
            prenom, nom, civ = "", "", ""
        nom_out = nom.upper() if nom and rng.random() < 0.2 else nom
        # address
        if cat == "Export":
            pays, cities, pkey = export
            cp, ville = pick(rng, cities)
            adresse = "%d %s" % (rng.randrange(1, 300), pick(rng, ["Main Street", "Rue Neuve",
                                                                    "Bahnhofstrasse", "Quai du Mont-Blanc",
                                                                    "Keizersgracht", "Marunouchi 1-chome"]))
            tel = foreign_phone(rng, pkey) if rng.random() < 0.9 else ""
        else:
            pays = "France" if rng.random() < 0.97 else "FRANCE"
            cp, ville = pick(rng, CITIES_FR)
            v = rng.random()
            if v < 0.08:
                ville = ville.upper()
            elif v < 0.11:
                ville = ascii_fold(ville)
            if rng.random() < 0.1:
                adresse = pick(rng, LIEUX_DITS)
            else:
                num = rng.randrange(1, 150)
                bis = pick(rng, ["", "", "", "", "", "", " bis", " ter", "B"])
                adresse = "%d%s %s %s" % (num, bis, pick(rng, VOIES), pick(rng, VOIE_NAMES))
            tel = fr_phone(rng, cp) if rng.random() < 0.9 else ""
        # e-mail
        e = rng.random()
        if e < 0.1:
            email = ""
        else:
            if societe and (not nom or rng.random() < 0.5):
                local = pick(rng, ["contact", "commande", "info", "achats", "sommelier"])
                dom = slug(societe)[:20] + pick(rng, [".fr", ".com", ".fr", ".eu"])
            else:
                p, nm = slug(prenom), slug(nom)
                f = rng.randrange(4)
                local = "%s.%s" % (p, nm) if f < 2 else "%s%s%d" % (p[:1], nm, rng.randrange(1, 99)) \
                    if f == 2 else "%s_%s" % (nm, p)
                dom = pick(rng, EMAIL_DOMAINS)
            email = local + "@" + dom
            m = rng.random()
            if m < 0.08:
                email = email.upper()
            elif m < 0.12:
                email = " " + email + " "
            elif m < 0.14:
                email = email[:1].upper() + email[1:] + " "
        codes.append(code)
        cats.append(cat)
        rows.append([code, civ, nom_out, prenom, societe, email, tel, adresse, cp, ville, pays,
                     created, cat])
    return codes, cats, rows


class Product(object):
    __slots__ = ("ref", "name", "couleur", "appellation", "millesime", "cond", "contenance",
                 "pu", "pu_s", "achat", "achat_s", "actif", "is_case")


def build_products(seed, n):
    rng = Random("%s:produits" % seed)
    cond_cw = cum(c[4] for c in CONDITIONNEMENTS)
    prods = []
    for i in range(n):
        app, colours, style, (pmin, pmax), pvint = pick(rng, APPELLATIONS)
        couleur = pick(rng, colours)
        if style == "chateau":
            producer = pick(rng, CHATEAUX)
        elif style == "maison":
            producer = pick(rng, MAISONS)
        else:
            producer = "Domaine " + pick(rng, DOMAINES_FAM)
        cuvee = pick(rng, CUVEES[couleur])
        vintage = ""
        if rng.random() < pvint:
            vintage = str(rng.randrange(2005, 2024))
            millesime = vintage
        else:
            millesime = "NM" if rng.random() < 0.6 else ""
        if app in ("Côtes du Jura", "Château-Chalon") and rng.random() < 0.7:
            cond = CONDITIONNEMENTS[13]
        elif couleur == "Liquoreux" and rng.random() < 0.3:
            cond = CONDITIONNEMENTS[15]
        else:
            cond = CONDITIONNEMENTS[bisect_left(cond_cw, rng.random() * cond_cw[-1] + 1e-9)]
        label, contenance, nbt, vfac, _ = cond
        if label.startswith("BIB") and (pmax > 30 or couleur in ("Effervescent", "Liquoreux")):
            cond = CONDITIONNEMENTS[0]
            label, contenance, nbt, vfac, _ = cond
        # name: "Château Margaux 2015", "Domaine Dupont Côte-Rôtie", "Crémant d'Alsace Brut"
        if style == "chateau" and rng.random() < 0.5:
            parts = [producer]
        elif couleur == "Effervescent" and rng.random() < 0.4:
            parts = [app]
        else:
            parts = [producer, app]
        if cuvee:
            parts.append(cuvee)
        if couleur not in app and couleur not in ("Effervescent", "Liquoreux") and \
                len(colours) > 1 and rng.random() < 0.7:
            parts.append(couleur.lower() if rng.random() < 0.5 else couleur)
        if vintage:
            parts.append(vintage)
        name = " ".join(parts)
        if label not in ("Bouteille 75cl",) and rng.random() < 0.5:
            name += " - " + label
        # price: log-uniform within the appellation range, older vintages a bit dearer
        base = pmin * (pmax / float(pmin)) ** (rng.random() ** 1.6)
        if vintage:
            base *= 1.0 + max(0, 2020 - int(vintage)) * 0.03
        pu = int(round(base * nbt * vfac * 100))
        pu = max(350, pu - pu % 10 if rng.random() < 0.7 else pu)
        achat = int(round(pu * (0.45 + rng.random() * 0.25)))
        p = Product()
        p.ref = "%s%05d" % ({"Rouge": "R", "Blanc": "B", "Rosé": "RS", "Effervescent": "E",
                              "Liquoreux": "L"}[couleur], i + 1)
        p.name, p.couleur, p.appellation, p.millesime = name, couleur, app, millesime
        p.cond, p.contenance, p.pu, p.achat = label, contenance, pu, achat
        group = rng.random() < 0.67
        p.pu_s = fmt_cents(pu, group)
        p.achat_s = fmt_cents(achat, group)
        p.actif = "Non" if rng.random() < 0.08 else "Oui"
        p.is_case = nbt > 1
        prods.append(p)
    return prods


def plan_orders(seed, n_lines, n_customers, n_products, categories):
    """Order structure of ventes.csv: sizes, customer index, day string, canal per order and
    the product index of every line. Uses only the ventes random stream."""
    rng = Random("%s:ventes" % seed)
    # customers: Pareto weights -> a few loyal customers buy a lot
    cw_c = cum(min(rng.paretovariate(1.2), 500.0) for _ in range(n_customers))
    # products: Zipf-like popularity over a random permutation of the catalogue
    perm = list(range(n_products))
    rng.shuffle(perm)
    w = [0.0] * n_products
    for rank, idx in enumerate(perm):
        w[idx] = 1.0 / (rank + 1) ** 1.05
    cw_p = cum(w)
    # order sizes
    sizes, total = [], 0
    while total < n_lines:
        s = pick(rng, ORDER_SIZES)
        s = min(s, n_lines - total)
        sizes.append(s)
        total += s
    m = len(sizes)
    # days over 3 years with a December peak and a quiet August
    start = datetime.date(2022, 1, 1)
    ndays = (REF_DATE - start).days + 1
    day_str, day_w = [], []
    for k in range(ndays):
        d = start + datetime.timedelta(days=k)
        day_str.append(fmt_date(d))
        wt = {12: 2.6, 11: 1.6, 8: 0.5, 9: 1.2, 6: 1.1}.get(d.month, 1.0)
        if d.weekday() == 6:
            wt *= 0.3
        day_w.append(wt)
    days = rng.choices(range(ndays), cum_weights=cum(day_w), k=m)
    days.sort()
    custs = rng.choices(range(n_customers), cum_weights=cw_c, k=m)
    prod_flat = rng.choices(range(n_products), cum_weights=cw_p, k=n_lines)
    # avoid the same product twice in one order (retry a few times)
    pos = 0
    for s in sizes:
        if s > 1:
            seen = set()
            for j in range(pos, pos + s):
                p = prod_flat[j]
                tries = 0
                while p in seen and tries < 8:
                    p = rng.choices(range(n_products), cum_weights=cw_p)[0]
                    tries += 1
                prod_flat[j] = p
                seen.add(p)
        pos += s
    canals = [pick(rng, CANAUX[categories[c]]) for c in custs]
    return rng, sizes, [day_str[d] for d in days], custs, canals, prod_flat


# --------------------------------------------------------------------------- writers


class Out(object):
    def __init__(self, path, encoding, bom):
        self.f = open(path, "wb")
        self.encoding = encoding
        if bom:
            self.f.write("\ufeff".encode("utf-8"))

    def write_lines(self, lines):
        self.f.write("".join(lines).encode(self.encoding, "strict"))

    def close(self):
        self.f.close()


def write_simple(path, header, rows, encoding, bom):
    o = Out(path, encoding, bom)
    o.write_lines([";".join(header) + CRLF] + [";".join(r) + CRLF for r in rows])
    o.close()


def write_ventes(path, args, clients_codes, categories, prods, plan, bad_lines, changed):
    rng, sizes, day_strs, custs, canals, prod_flat = plan
    o = Out(path, args.encoding, args.bom)
    o.write_lines([";".join(VENTES_HEADER) + CRLF])
    # per-product precomputed fragments
    pre = [";%s;%s;" % (p.ref, p.name) for p in prods]
    mid = [";%s;%s;" % (p.cond, p.pu_s) for p in prods]
    pus = [p.pu for p in prods]
    is_case = [p.is_case for p in prods]
    qty_tabs = {c: (QTY_TABLE[c], len(QTY_TABLE[c]), QTY_TABLE_CASE[c], len(QTY_TABLE_CASE[c]),
                    REMISE_TABLE[c], len(REMISE_TABLE[c])) for c in CATEGORIES}
    remise_s = {r: fmt_permille(r) for tab in REMISE_TABLE.values() for r in tab}
    rand = rng.random
    buf = []
    line_idx = 0
    order_no = 100000
    for o_i in range(len(sizes)):
        order_no += 1
        c = custs[o_i]
        qt, nqt, qc, nqc, rt, nrt = qty_tabs[categories[c]]
        head = "%d;%s;%s" % (order_no, day_strs[o_i], clients_codes[c])
        tail = ";" + canals[o_i] + CRLF
        order_remise = rt[int(rand() * nrt)]
        for _ in range(sizes[o_i]):
            p = prod_flat[line_idx]
            q = qc[int(rand() * nqc)] if is_case[p] else qt[int(rand() * nqt)]
            r = order_remise if rand() < 0.85 else rt[int(rand() * nrt)]
            if line_idx in changed:
                q = q + 1 if q < 12 else q - 1
            amount = (q * pus[p] * (1000 - r) * 2 + 1000) // 2000
            line = "%s%s%d%s%s;%s%s" % (head, pre[p], q, mid[p], remise_s[r],
                                        fmt_cents(amount, True), tail)
            if line_idx in bad_lines:
                line = corrupt_ventes(line, bad_lines[line_idx])
            buf.append(line)
            line_idx += 1
        if len(buf) >= 65536:
            o.write_lines(buf)
            buf = []
    o.write_lines(buf)
    o.close()


def corrupt_ventes(line, kind_idx):
    f = line[:-2].split(";")
    if kind_idx == 0:
        f[1] = "31/02/2024"
    elif kind_idx == 1:
        f[1] = "hier"
    elif kind_idx == 2:
        f[5] = "douze"
    elif kind_idx == 3:
        del f[8]
    elif kind_idx == 4:
        f[6] = "Conditionnement spécial"
    else:
        f[2] = ""
    return ";".join(f) + CRLF


def spread_positions(rng, n_items, k, exclude=()):
    """k distinct positions in [0, n_items), one per equal segment, avoiding `exclude`."""
    out = []
    if k <= 0 or n_items <= 0:
        return out
    k = min(k, n_items - len(exclude))
    for i in range(k):
        lo = i * n_items // k
        hi = max(lo + 1, (i + 1) * n_items // k)
        for _ in range(100):
            p = rng.randrange(lo, hi)
            if p not in exclude and p not in out:
                break
        else:
            p = next(x for x in range(n_items) if x not in exclude and x not in out)
        out.append(p)
    return out


# --------------------------------------------------------------------------- main


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Generate a deterministic, realistic iSaVigne export set "
                    "(clients.csv, produits.csv, ventes.csv, stock.csv, bad_rows.tsv).",
        epilog="Same arguments -> byte-identical files. See docs/demo-data.md.")
    ap.add_argument("--out", required=True, help="output directory (created if missing)")
    ap.add_argument("--customers", type=int, default=50000, help="number of customers (50000)")
    ap.add_argument("--products", type=int, default=2000, help="number of products (2000)")
    ap.add_argument("--lines", type=int, default=1000000, help="number of sales lines (1000000)")
    ap.add_argument("--seed", default="42", help="random seed (42)")
    ap.add_argument("--encoding", default="windows-1252",
                    choices=["windows-1252", "cp1252", "utf-8", "utf8"],
                    help="output encoding (windows-1252)")
    ap.add_argument("--bom", action="store_true", help="write a UTF-8 BOM (utf-8 only)")
    ap.add_argument("--bad-rows", type=int, default=0,
                    help="inject N bad lines into ventes.csv (+ min(2, N) into clients.csv)")
    ap.add_argument("--change-fraction", type=float, default=0.0,
                    help="fraction of good ventes lines whose Qté/Montant HT differ from the F=0 set")
    ap.add_argument("--only", choices=["ventes"], help="write only this file")
    a = ap.parse_args(argv)
    a.encoding = {"windows-1252": "cp1252", "cp1252": "cp1252", "utf-8": "utf-8",
                  "utf8": "utf-8"}[a.encoding]
    if a.bom and a.encoding != "utf-8":
        ap.error("--bom requires --encoding utf-8")
    if a.customers < 1 or a.products < 1 or a.lines < 0 or a.bad_rows < 0:
        ap.error("--customers and --products must be >= 1, --lines and --bad-rows >= 0")
    if not 0.0 <= a.change_fraction <= 1.0:
        ap.error("--change-fraction must be within [0, 1]")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    seed = args.seed
    codes, cats, client_rows = build_clients(seed, args.customers)
    prods = build_products(seed, args.products)
    plan = plan_orders(seed, args.lines, args.customers, args.products, cats)

    bad_report = []  # (file, physical line, code, reason)
    # ventes bad rows and changed lines: separate streams, independent of each other
    brng = Random("%s:bad" % seed)
    vbad_pos = spread_positions(brng, args.lines, args.bad_rows)
    bad_lines = {p: i % len(VENTES_BAD_KINDS) for i, p in enumerate(vbad_pos)}
    n_changed = int(round(args.change_fraction * args.lines))
    changed = set()
    if n_changed:
        crng = Random("%s:change" % seed)
        cand = crng.sample(range(args.lines), min(args.lines, n_changed + len(bad_lines)))
        changed = set([p for p in cand if p not in bad_lines][:n_changed])
        if len(changed) < n_changed:  # F close to 1: take the remaining good lines in order
            changed.update(p for p in range(args.lines) if p not in bad_lines)
            changed = set(sorted(changed)[:n_changed]) if len(changed) > n_changed else changed

    written = []
    if not args.only:
        # clients bad rows: customers that never appear in ventes when possible (no orphans)
        n_cbad = min(2, args.bad_rows)
        if n_cbad:
            used = set(plan[3])
            unused = [i for i in range(args.customers) if i not in used]
            pool = unused if len(unused) >= n_cbad else list(range(args.customers))
            picks = sorted(brng.sample(pool, n_cbad))
            for k, ci in enumerate(picks):
                row = list(client_rows[ci])
                code, reason = CLIENTS_BAD_KINDS[k % len(CLIENTS_BAD_KINDS)]
                if code == "empty_customer":
                    row[0] = ""
                else:
                    row[11] = "31/02/2023"
                client_rows[ci] = row
                bad_report.append(("clients.csv", ci + 2, code, reason))
        write_simple(os.path.join(args.out, "clients.csv"), CLIENTS_HEADER, client_rows,
                     args.encoding, args.bom)
        write_simple(os.path.join(args.out, "produits.csv"), PRODUITS_HEADER,
                     [[p.ref, p.name, p.couleur, p.appellation, p.millesime, p.cond,
                       p.contenance, p.pu_s, p.achat_s, p.actif] for p in prods],
                     args.encoding, args.bom)
        srng = Random("%s:stock" % seed)
        stock_rows = []
        inv_dates = [fmt_date(REF_DATE), fmt_date(REF_DATE), fmt_date(datetime.date(2024, 12, 15)),
                     fmt_date(datetime.date(2024, 6, 30))]
        for p in prods:
            for wh in ENTREPOTS:
                if p.actif == "Non" or srng.random() < 0.1:
                    st = 0
                else:
                    st = int(srng.paretovariate(1.1) * (24 if wh == ENTREPOTS[0] else 6)) - 6
                    st = max(0, st)
                res = 0 if st == 0 or srng.random() < 0.6 else srng.randrange(0, st + 1)
                stock_rows.append([p.ref, p.name, wh, str(st), str(res), pick(srng, inv_dates)])
        write_simple(os.path.join(args.out, "stock.csv"), STOCK_HEADER, stock_rows,
                     args.encoding, args.bom)
        written += ["clients.csv", "produits.csv", "stock.csv"]

    t1 = time.perf_counter()
    write_ventes(os.path.join(args.out, "ventes.csv"), args, codes, cats, prods, plan,
                 bad_lines, changed)
    t2 = time.perf_counter()
    written.append("ventes.csv")
    for p in sorted(bad_lines):
        code, reason = VENTES_BAD_KINDS[bad_lines[p]]
        bad_report.append(("ventes.csv", p + 2, code, reason))
    with open(os.path.join(args.out, "bad_rows.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("file\tline\tcode\treason\n")
        for r in bad_report:
            f.write("%s\t%d\t%s\t%s\n" % r)
    written.append("bad_rows.tsv")
    sizes = ", ".join("%s %d B" % (n, os.path.getsize(os.path.join(args.out, n))) for n in written)
    sys.stderr.write("gen_isavigne: %d customers, %d products, %d sales lines (%d orders), "
                     "%d bad rows, %d changed lines; ventes %.2f s, total %.2f s; %s\n"
                     % (args.customers, args.products, args.lines, len(plan[1]), len(bad_report),
                        len(changed), t2 - t1, t2 - t0, sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
