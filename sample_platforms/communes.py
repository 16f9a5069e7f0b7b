"""Real French communes used to place the sample innovations.

Official INSEE codes, main postal codes and approximate town-hall coordinates, so that a
geocoding or a commune-matching stage can be checked against known answers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Commune:
    name: str
    insee: str
    postal_code: str
    department_code: str
    department: str
    region: str
    lat: float
    lon: float


ARA = "Auvergne-Rhône-Alpes"
BFC = "Bourgogne-Franche-Comté"
BRE = "Bretagne"
CVL = "Centre-Val de Loire"
COR = "Corse"
GES = "Grand Est"
HDF = "Hauts-de-France"
IDF = "Île-de-France"
NOR = "Normandie"
NAQ = "Nouvelle-Aquitaine"
OCC = "Occitanie"
PDL = "Pays de la Loire"
PAC = "Provence-Alpes-Côte d'Azur"

# (name, insee, postal code, department code, department, region, lat, lon)
_ROWS: tuple[tuple[str, str, str, str, str, str, float, float], ...] = (
    ("Die", "26113", "26150", "26", "Drôme", ARA, 44.753, 5.370),
    ("Crest", "26108", "26400", "26", "Drôme", ARA, 44.728, 5.022),
    ("Valence", "26362", "26000", "26", "Drôme", ARA, 44.933, 4.892),
    ("Lyon", "69123", "69001", "69", "Rhône", ARA, 45.764, 4.836),
    ("Villeurbanne", "69266", "69100", "69", "Rhône", ARA, 45.767, 4.880),
    ("Grenoble", "38185", "38000", "38", "Isère", ARA, 45.188, 5.724),
    ("Clermont-Ferrand", "63113", "63000", "63", "Puy-de-Dôme", ARA, 45.778, 3.087),
    ("Thiers", "63430", "63300", "63", "Puy-de-Dôme", ARA, 45.856, 3.548),
    ("Annecy", "74010", "74000", "74", "Haute-Savoie", ARA, 45.899, 6.129),
    ("Saint-Étienne", "42218", "42000", "42", "Loire", ARA, 45.434, 4.390),
    ("Aurillac", "15014", "15000", "15", "Cantal", ARA, 44.927, 2.440),
    ("Le Puy-en-Velay", "43157", "43000", "43", "Haute-Loire", ARA, 45.043, 3.885),
    ("Privas", "07186", "07000", "07", "Ardèche", ARA, 44.735, 4.599),
    ("Annonay", "07010", "07100", "07", "Ardèche", ARA, 45.240, 4.671),
    ("Chambéry", "73065", "73000", "73", "Savoie", ARA, 45.566, 5.921),
    ("Bourg-en-Bresse", "01053", "01000", "01", "Ain", ARA, 46.205, 5.225),
    ("Moulins", "03190", "03000", "03", "Allier", ARA, 46.566, 3.333),
    ("Dijon", "21231", "21000", "21", "Côte-d'Or", BFC, 47.322, 5.041),
    ("Besançon", "25056", "25000", "25", "Doubs", BFC, 47.238, 6.024),
    ("Montbéliard", "25388", "25200", "25", "Doubs", BFC, 47.510, 6.798),
    ("Auxerre", "89024", "89000", "89", "Yonne", BFC, 47.798, 3.567),
    ("Nevers", "58194", "58000", "58", "Nièvre", BFC, 46.990, 3.159),
    ("Mâcon", "71270", "71000", "71", "Saône-et-Loire", BFC, 46.307, 4.828),
    ("Chalon-sur-Saône", "71076", "71100", "71", "Saône-et-Loire", BFC, 46.781, 4.854),
    ("Autun", "71014", "71400", "71", "Saône-et-Loire", BFC, 46.951, 4.299),
    ("Lons-le-Saunier", "39300", "39000", "39", "Jura", BFC, 46.675, 5.555),
    ("Vesoul", "70550", "70000", "70", "Haute-Saône", BFC, 47.622, 6.155),
    ("Belfort", "90010", "90000", "90", "Territoire de Belfort", BFC, 47.638, 6.863),
    ("Rennes", "35238", "35000", "35", "Ille-et-Vilaine", BRE, 48.111, -1.680),
    ("Saint-Malo", "35288", "35400", "35", "Ille-et-Vilaine", BRE, 48.649, -2.026),
    ("Redon", "35236", "35600", "35", "Ille-et-Vilaine", BRE, 47.652, -2.084),
    ("Brest", "29019", "29200", "29", "Finistère", BRE, 48.390, -4.486),
    ("Quimper", "29232", "29000", "29", "Finistère", BRE, 47.996, -4.102),
    ("Morlaix", "29151", "29600", "29", "Finistère", BRE, 48.577, -3.828),
    ("Douarnenez", "29046", "29100", "29", "Finistère", BRE, 48.093, -4.329),
    ("Lorient", "56121", "56100", "56", "Morbihan", BRE, 47.748, -3.370),
    ("Vannes", "56260", "56000", "56", "Morbihan", BRE, 47.658, -2.760),
    ("Pontivy", "56178", "56300", "56", "Morbihan", BRE, 48.068, -2.963),
    ("Saint-Brieuc", "22278", "22000", "22", "Côtes-d'Armor", BRE, 48.514, -2.765),
    ("Lannion", "22113", "22300", "22", "Côtes-d'Armor", BRE, 48.732, -3.459),
    ("Dinan", "22050", "22100", "22", "Côtes-d'Armor", BRE, 48.455, -2.047),
    ("Orléans", "45234", "45000", "45", "Loiret", CVL, 47.903, 1.909),
    ("Tours", "37261", "37000", "37", "Indre-et-Loire", CVL, 47.394, 0.685),
    ("Bourges", "18033", "18000", "18", "Cher", CVL, 47.081, 2.399),
    ("Vierzon", "18279", "18100", "18", "Cher", CVL, 47.222, 2.069),
    ("Blois", "41018", "41000", "41", "Loir-et-Cher", CVL, 47.586, 1.335),
    ("Chartres", "28085", "28000", "28", "Eure-et-Loir", CVL, 48.446, 1.489),
    ("Châteauroux", "36044", "36000", "36", "Indre", CVL, 46.810, 1.691),
    ("Issoudun", "36088", "36100", "36", "Indre", CVL, 46.949, 1.993),
    ("Ajaccio", "2A004", "20000", "2A", "Corse-du-Sud", COR, 41.919, 8.738),
    ("Porto-Vecchio", "2A247", "20137", "2A", "Corse-du-Sud", COR, 41.591, 9.279),
    ("Bastia", "2B033", "20200", "2B", "Haute-Corse", COR, 42.697, 9.450),
    ("Corte", "2B096", "20250", "2B", "Haute-Corse", COR, 42.306, 9.150),
    ("Strasbourg", "67482", "67000", "67", "Bas-Rhin", GES, 48.573, 7.752),
    ("Mulhouse", "68224", "68100", "68", "Haut-Rhin", GES, 47.750, 7.336),
    ("Colmar", "68066", "68000", "68", "Haut-Rhin", GES, 48.079, 7.358),
    ("Metz", "57463", "57000", "57", "Moselle", GES, 49.120, 6.176),
    ("Nancy", "54395", "54000", "54", "Meurthe-et-Moselle", GES, 48.692, 6.184),
    ("Reims", "51454", "51100", "51", "Marne", GES, 49.258, 4.032),
    ("Châlons-en-Champagne", "51108", "51000", "51", "Marne", GES, 48.957, 4.363),
    ("Troyes", "10387", "10000", "10", "Aube", GES, 48.297, 4.074),
    ("Épinal", "88160", "88000", "88", "Vosges", GES, 48.172, 6.450),
    ("Saint-Dié-des-Vosges", "88413", "88100", "88", "Vosges", GES, 48.285, 6.949),
    ("Charleville-Mézières", "08105", "08000", "08", "Ardennes", GES, 49.773, 4.720),
    ("Chaumont", "52121", "52000", "52", "Haute-Marne", GES, 48.111, 5.139),
    ("Bar-le-Duc", "55029", "55000", "55", "Meuse", GES, 48.772, 5.160),
    ("Lille", "59350", "59000", "59", "Nord", HDF, 50.629, 3.057),
    ("Roubaix", "59512", "59100", "59", "Nord", HDF, 50.690, 3.181),
    ("Tourcoing", "59599", "59200", "59", "Nord", HDF, 50.724, 3.161),
    ("Dunkerque", "59183", "59140", "59", "Nord", HDF, 51.034, 2.377),
    ("Valenciennes", "59606", "59300", "59", "Nord", HDF, 50.358, 3.523),
    ("Arras", "62041", "62000", "62", "Pas-de-Calais", HDF, 50.291, 2.777),
    ("Calais", "62193", "62100", "62", "Pas-de-Calais", HDF, 50.952, 1.858),
    ("Lens", "62498", "62300", "62", "Pas-de-Calais", HDF, 50.432, 2.833),
    ("Loos-en-Gohelle", "62528", "62750", "62", "Pas-de-Calais", HDF, 50.457, 2.791),
    ("Amiens", "80021", "80000", "80", "Somme", HDF, 49.894, 2.296),
    ("Beauvais", "60057", "60000", "60", "Oise", HDF, 49.430, 2.081),
    ("Laon", "02408", "02000", "02", "Aisne", HDF, 49.564, 3.620),
    ("Saint-Quentin", "02691", "02100", "02", "Aisne", HDF, 49.848, 3.287),
    ("Paris", "75056", "75011", "75", "Paris", IDF, 48.857, 2.352),
    ("Montreuil", "93048", "93100", "93", "Seine-Saint-Denis", IDF, 48.862, 2.448),
    ("Saint-Denis", "93066", "93200", "93", "Seine-Saint-Denis", IDF, 48.936, 2.357),
    ("Clichy-sous-Bois", "93014", "93390", "93", "Seine-Saint-Denis", IDF, 48.910, 2.553),
    ("Nanterre", "92050", "92000", "92", "Hauts-de-Seine", IDF, 48.892, 2.207),
    ("Créteil", "94028", "94000", "94", "Val-de-Marne", IDF, 48.790, 2.455),
    ("Ivry-sur-Seine", "94041", "94200", "94", "Val-de-Marne", IDF, 48.813, 2.385),
    ("Évry-Courcouronnes", "91228", "91000", "91", "Essonne", IDF, 48.629, 2.441),
    ("Grigny", "91286", "91350", "91", "Essonne", IDF, 48.654, 2.393),
    ("Cergy", "95127", "95000", "95", "Val-d'Oise", IDF, 49.036, 2.063),
    ("Melun", "77288", "77000", "77", "Seine-et-Marne", IDF, 48.540, 2.660),
    ("Versailles", "78646", "78000", "78", "Yvelines", IDF, 48.805, 2.130),
    ("Rouen", "76540", "76000", "76", "Seine-Maritime", NOR, 49.443, 1.099),
    ("Le Havre", "76351", "76600", "76", "Seine-Maritime", NOR, 49.494, 0.108),
    ("Dieppe", "76217", "76200", "76", "Seine-Maritime", NOR, 49.923, 1.078),
    ("Caen", "14118", "14000", "14", "Calvados", NOR, 49.183, -0.370),
    ("Lisieux", "14366", "14100", "14", "Calvados", NOR, 49.146, 0.226),
    ("Cherbourg-en-Cotentin", "50129", "50100", "50", "Manche", NOR, 49.639, -1.616),
    ("Saint-Lô", "50502", "50000", "50", "Manche", NOR, 49.116, -1.091),
    ("Évreux", "27229", "27000", "27", "Eure", NOR, 49.024, 1.151),
    ("Alençon", "61001", "61000", "61", "Orne", NOR, 48.432, 0.091),
    ("Argentan", "61006", "61200", "61", "Orne", NOR, 48.744, -0.020),
    ("Bordeaux", "33063", "33000", "33", "Gironde", NAQ, 44.838, -0.579),
    ("Limoges", "87085", "87000", "87", "Haute-Vienne", NAQ, 45.834, 1.261),
    ("Poitiers", "86194", "86000", "86", "Vienne", NAQ, 46.580, 0.340),
    ("La Rochelle", "17300", "17000", "17", "Charente-Maritime", NAQ, 46.160, -1.151),
    ("Pau", "64445", "64000", "64", "Pyrénées-Atlantiques", NAQ, 43.295, -0.371),
    ("Bayonne", "64102", "64100", "64", "Pyrénées-Atlantiques", NAQ, 43.493, -1.475),
    ("Périgueux", "24322", "24000", "24", "Dordogne", NAQ, 45.184, 0.721),
    ("Bergerac", "24037", "24100", "24", "Dordogne", NAQ, 44.853, 0.483),
    ("Agen", "47001", "47000", "47", "Lot-et-Garonne", NAQ, 44.203, 0.616),
    ("Mont-de-Marsan", "40192", "40000", "40", "Landes", NAQ, 43.890, -0.500),
    ("Niort", "79191", "79000", "79", "Deux-Sèvres", NAQ, 46.323, -0.459),
    ("Angoulême", "16015", "16000", "16", "Charente", NAQ, 45.649, 0.156),
    ("Guéret", "23096", "23000", "23", "Creuse", NAQ, 46.171, 1.871),
    ("Tulle", "19272", "19000", "19", "Corrèze", NAQ, 45.267, 1.770),
    ("Brive-la-Gaillarde", "19031", "19100", "19", "Corrèze", NAQ, 45.159, 1.533),
    ("Toulouse", "31555", "31000", "31", "Haute-Garonne", OCC, 43.604, 1.444),
    ("Montpellier", "34172", "34000", "34", "Hérault", OCC, 43.611, 3.877),
    ("Béziers", "34032", "34500", "34", "Hérault", OCC, 43.344, 3.216),
    ("Nîmes", "30189", "30000", "30", "Gard", OCC, 43.837, 4.360),
    ("Perpignan", "66136", "66000", "66", "Pyrénées-Orientales", OCC, 42.699, 2.895),
    ("Albi", "81004", "81000", "81", "Tarn", OCC, 43.929, 2.148),
    ("Rodez", "12202", "12000", "12", "Aveyron", OCC, 44.350, 2.575),
    ("Millau", "12145", "12100", "12", "Aveyron", OCC, 44.098, 3.078),
    ("Cahors", "46042", "46000", "46", "Lot", OCC, 44.448, 1.441),
    ("Figeac", "46102", "46100", "46", "Lot", OCC, 44.609, 2.032),
    ("Tarbes", "65440", "65000", "65", "Hautes-Pyrénées", OCC, 43.233, 0.078),
    ("Foix", "09122", "09000", "09", "Ariège", OCC, 42.965, 1.605),
    ("Auch", "32013", "32000", "32", "Gers", OCC, 43.646, 0.586),
    ("Carcassonne", "11069", "11000", "11", "Aude", OCC, 43.213, 2.351),
    ("Mende", "48095", "48000", "48", "Lozère", OCC, 44.518, 3.500),
    ("Montauban", "82121", "82000", "82", "Tarn-et-Garonne", OCC, 44.018, 1.355),
    ("Nantes", "44109", "44000", "44", "Loire-Atlantique", PDL, 47.218, -1.554),
    ("Saint-Nazaire", "44184", "44600", "44", "Loire-Atlantique", PDL, 47.273, -2.214),
    ("Châteaubriant", "44036", "44110", "44", "Loire-Atlantique", PDL, 47.717, -1.376),
    ("Angers", "49007", "49000", "49", "Maine-et-Loire", PDL, 47.478, -0.563),
    ("Cholet", "49099", "49300", "49", "Maine-et-Loire", PDL, 47.060, -0.879),
    ("Saumur", "49328", "49400", "49", "Maine-et-Loire", PDL, 47.260, -0.077),
    ("Le Mans", "72181", "72000", "72", "Sarthe", PDL, 48.006, 0.199),
    ("Laval", "53130", "53000", "53", "Mayenne", PDL, 48.073, -0.770),
    ("La Roche-sur-Yon", "85191", "85000", "85", "Vendée", PDL, 46.670, -1.426),
    ("Les Sables-d'Olonne", "85194", "85100", "85", "Vendée", PDL, 46.497, -1.783),
    ("Marseille", "13055", "13001", "13", "Bouches-du-Rhône", PAC, 43.296, 5.370),
    ("Aix-en-Provence", "13001", "13100", "13", "Bouches-du-Rhône", PAC, 43.529, 5.447),
    ("Arles", "13004", "13200", "13", "Bouches-du-Rhône", PAC, 43.677, 4.631),
    ("Nice", "06088", "06000", "06", "Alpes-Maritimes", PAC, 43.710, 7.262),
    ("Cannes", "06029", "06400", "06", "Alpes-Maritimes", PAC, 43.552, 7.017),
    ("Toulon", "83137", "83000", "83", "Var", PAC, 43.124, 5.928),
    ("Avignon", "84007", "84000", "84", "Vaucluse", PAC, 43.949, 4.806),
    ("Digne-les-Bains", "04070", "04000", "04", "Alpes-de-Haute-Provence", PAC, 44.092, 6.236),
    ("Forcalquier", "04088", "04300", "04", "Alpes-de-Haute-Provence", PAC, 43.960, 5.780),
    ("Manosque", "04112", "04100", "04", "Alpes-de-Haute-Provence", PAC, 43.828, 5.786),
    ("Gap", "05061", "05000", "05", "Hautes-Alpes", PAC, 44.559, 6.079),
    ("Briançon", "05023", "05100", "05", "Hautes-Alpes", PAC, 44.899, 6.643),
    ("Pointe-à-Pitre", "97120", "97110", "971", "Guadeloupe", "Guadeloupe", 16.241, -61.533),
    ("Basse-Terre", "97105", "97100", "971", "Guadeloupe", "Guadeloupe", 15.998, -61.726),
    ("Fort-de-France", "97209", "97200", "972", "Martinique", "Martinique", 14.616, -61.059),
    ("Cayenne", "97302", "97300", "973", "Guyane", "Guyane", 4.938, -52.326),
    ("Saint-Laurent-du-Maroni", "97311", "97320", "973", "Guyane", "Guyane", 5.498, -54.029),
    ("Saint-Denis", "97411", "97400", "974", "La Réunion", "La Réunion", -20.882, 55.451),
    ("Saint-Pierre", "97416", "97410", "974", "La Réunion", "La Réunion", -21.339, 55.478),
    ("Le Port", "97407", "97420", "974", "La Réunion", "La Réunion", -20.937, 55.292),
    ("Mamoudzou", "97611", "97600", "976", "Mayotte", "Mayotte", -12.781, 45.228),
)

COMMUNES: tuple[Commune, ...] = tuple(Commune(*row) for row in _ROWS)

# French contracts "à le"/"de le" into "au"/"du"; names starting with an article need it.
_ARTICLES = {"Le ": ("au ", "du "), "Les ": ("aux ", "des "), "La ": ("à La ", "de La ")}


def at(name: str) -> str:
    """'à Die', 'au Havre', 'aux Sables-d'Olonne'."""
    for article, (a_form, _) in _ARTICLES.items():
        if name.startswith(article):
            return a_form + name[len(article) :] if article != "La " else a_form + name[3:]
    return f"à {name}"


def of(name: str) -> str:
    """'de Die', 'd'Annecy', 'du Havre', 'des Sables-d'Olonne'."""
    for article, (_, de_form) in _ARTICLES.items():
        if name.startswith(article):
            return de_form + name[len(article) :] if article != "La " else de_form + name[3:]
    if name[0] in "AEIOUÉÈÂÎ":
        return f"d'{name}"
    return f"de {name}"
