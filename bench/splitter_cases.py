"""Hand-checked hard cases for sentence splitting (written by us, not taken from any dataset).

Each case is (language, expected sentences); the input text is the sentences joined by one space.
"""

HARD_CASES: list[tuple[str, list[str]]] = [
    ("en", ["The U.S. economy grew by 2.5 percent last year.", "Analysts had expected less."]),
    ("en", ["Dr. Jane Smith arrived at 10 a.m. on Monday.", "She left an hour later."]),
    ("en", ["Shares rose 3.75% to $12.40 in early trading.", "Volume was light."]),
    ("en", ['"We will not give up," the mayor said.', "The council voted on Tuesday."]),
    ("en", ["J. R. R. Tolkien wrote the book in 1937.", "It sold well."]),
    ("en", ["Mr. and Mrs. Brown live on Elm St. near the park.", "Their house is blue."]),
    ("en", ['She asked, "Is it over?"', "Nobody answered."]),
    ("en", ["The company, Acme Corp., reported a loss.", "Its shares fell."]),
    ("en", ["He moved to Washington, D.C. in 2019.", "He now works there."]),
    ("en", ["Gen. Mark Jones met Sen. Ann Lee in Jan. for talks.", "No deal was reached."]),
    ("en", ["The vote was 5-4 (see p. 12 of the ruling).", "An appeal is likely."]),
    ("en", ["Prices fell sharply!", "What happens next?", "Nobody knows."]),
    ("en", ["The U.K. and the E.U. signed the deal.", "It takes effect in May."]),
    ("ru", ["В 2023 г. компания выросла на 5,5%.", "Аналитики ожидали меньше."]),
    ("ru", ["Министр обороны России С. К. Шойгу провёл встречу.", "Переговоры продлились два часа."]),
    ("ru", ["«Мы готовы к диалогу», — заявил министр.", "Встреча прошла в Москве."]),
    ("ru", ["Т. е. решение принято.", "Оно вступит в силу завтра."]),
    ("fr", ["M. Dupont est arrivé à Paris à 10 h.", "Il est reparti le soir."]),
    ("fr", ["« Nous ne céderons pas », a déclaré le ministre.", "Le débat continue."]),
    ("de", ["Die Firma wuchs um 3,5 Prozent, z. B. in Europa.", "Das war unerwartet."]),
    ("de", ["Am 3. Oktober feiert Deutschland.", "Viele Menschen haben frei."]),
    ("es", ["El Sr. García llegó a las 10 de la mañana.", "Se fue una hora después."]),
    ("es", ["¿Qué pasará ahora?", "Nadie lo sabe."]),
]
