// The booth's and public pages' words in Kazakh, Russian and English. Kazakh is the default
// unless the browser prefers Russian or English; the choice is kept on this device only.
// Elements with data-t="key" are filled from here; `lang` follows the language shown.

const kk = {
  site: "Дауыс — республикалық референдум", skip: "Негізгі мазмұнға өту", language: "Тіл",
  nav: "Бөлімдер", navVote: "Дауыс беру", navTurnout: "Қатысу", navResults: "Нәтижелер", navBoard: "Тақта",
  navVerify: "Өзіңіз тексеріңіз", navAudit: "Бюллетеньді тексеру",
  loading: "Жүктелуде…", retry: "Қайталау", continue: "Жалғастыру", back: "Артқа", change: "Өзгерту",
  signInTitle: "Кіру", signInIntro: "ЖСН-іңізді және хаттағы кіру кодын енгізіңіз.",
  iin: "ЖСН (12 цифр)", signInCode: "Кіру коды", signIn: "Кіру",
  questionTitle: "Сұрақ", chooseOne: "Бір жауапты таңдаңыз.", review: "Тексеру",
  reviewTitle: "Таңдауыңызды тексеріңіз", youChose: "Сіздің таңдауыңыз:",
  credentialTitle: "Бюллетеньді құрылғыңызда шифрлау",
  credentialIntro: "Хаттағы дауыс беру кодын енгізіңіз (24 таңба). Код осы құрылғыдан шықпайды: ол бюллетеньге тек қол қоюға қолданылады.",
  credentialCode: "Дауыс беру коды", encrypt: "Шифрлау", encrypting: "Бюллетень құрылғыңызда шифрлануда…",
  castOrAuditTitle: "Бюллетень шифрланды", trackingCode: "Бақылау коды",
  castOrAuditIntro: "Бақылау кодын жазып алыңыз. Енді бюллетеньді тапсырыңыз немесе оның дұрыс шифрланғанын тексеріңіз (тексерілген бюллетень есептелмейді, кейін жаңасы шифрланады).",
  cast: "Бюллетеньді тапсыру", audit: "Шифрлауды тексеру", casting: "Бюллетень жіберілуде…",
  auditTitle: "Бюллетень тексеруге жарияланды",
  auditIntro: "Бұл бюллетень ешқашан есептелмейді. Құпия сан (seed) мен таңдау тақтада жарияланды: кез келген адам бюллетеньді қайта құрып, құрылғыңыз сіз таңдағанды шифрлағанын тексере алады.",
  auditSeed: "Құпия сан (seed)", auditChoices: "Шифрланған таңдау", auditEntry: "Тақтадағы жазба",
  auditHow: "Тексеру жолдары:", auditPage: "Браузерде тексеру", auditAgain: "Жаңадан шифрлау",
  receiptTitle: "Дауысыңыз қабылданды",
  receiptIntro: "Бақылау коды мен түбіртекті сақтаңыз: олар бюллетеніңіздің тақтада екенін дәлелдейді, бірақ кімге дауыс бергеніңізді көрсетпейді.",
  receiptEntry: "Тақтадағы жазба", receiptTime: "Уақыты", saveReceipt: "Түбіртекті сақтау", print: "Басып шығару",
  lookUp: "Бюллетенімді тақтадан табу",
  receiptOk: "Тақтаның осы түбіртектегі қолтаңбасы және бюллетеньнің бақылау коды осы құрылғыда тексерілді.",
  receiptBad: "Бұл түбіртек тексеруден өтпеді: осы экранды сақтап, сайлау комиссиясына хабарлаңыз.",
  revoteNote: "Қайта дауыс беруге болады: соңғы бюллетень есептеледі. Сайлау учаскесінде қағаз бюллетеньмен дауыс берсеңіз, қағаз дауыс электрондық дауыстың орнына есептеледі.",
  voteAgain: "Қайта дауыс беру", signOut: "Шығу",
  closedTitle: "Дауыс беру жүріп жатқан жоқ", notOpen: "Дауыс беру әлі басталған жоқ.", closed: "Дауыс беру аяқталды.",
  opensAt: "Басталуы: {t}", closesAt: "Аяқталуы: {t}",
  errWrongCode: "ЖСН немесе кіру коды қате.", errBadIIN: "ЖСН 12 цифрдан тұруы керек.",
  errLocked: "Қате код тым көп енгізілді. {m} минуттан кейін қайталаңыз.",
  errSlowed: "Бұл ЖСН үшін көп қате код енгізілді. {s} секундтан кейін қайталаңыз.",
  errNetwork: "Байланыс үзілді. Таңдауыңыз сақталған: «Қайталау» түймесін басыңыз.",
  errCredentialChars: "Кодта рұқсат етілмеген таңба бар: «{c}».", errCredentialLength: "Код 24 таңбадан тұруы керек (қазір {n}).",
  errCredentialWrong: "Бұл дауыс беру коды сіздің хатыңыздағы код емес. Қайта тексеріңіз.",
  errNoCredential: "Сіз үшін электрондық дауыс беру мүмкін емес: учаскеде қағаз бюллетеньмен дауыс беріңіз.",
  errSession: "Сессия аяқталды. Қайта кіріңіз: таңдауыңыз сақталған.",
  errNotOpen: "Дауыс беру қазір ашық емес.", errAudited: "Бұл бюллетень тексерілді, оны тапсыруға болмайды.",
  errSequence: "Осы дауыс беру кодымен басқа бюллетень тапсырылды. Бюллетеніңіз қайта шифрланды: жаңа бақылау кодын жазып алып, қайта тапсырыңыз.",
  errServer: "Сервер сұрауды қабылдамады: {m}", errChoose: "Бір жауапты таңдаңыз.",
  sessionWarn: "Сессияңыз {m} минуттан кейін аяқталады.", extend: "Сессияны ұзарту", extended: "Сессия ұзартылды.",
  turnoutTitle: "Қатысу", eligible: "Сайлаушылар", voted: "Дауыс бергендер", region: "Өңір", share: "Үлесі",
  byHour: "Сағат бойынша электрондық бюллетеньдер", byRegion: "Өңірлер бойынша қатысу", updated: "Жаңартылды: {t}",
  nationally: "Барлығы", map: "Өңірлер картограммасы", hour: "Сағат", ballots: "Бюллетеньдер",
  resultsTitle: "Нәтижелер", provisional: "АЛДЫН АЛА, түпкілікті емес", final: "ТҮПКІЛІКТІ",
  evoteResult: "Электрондық дауыстар (тақтада жарияланған)", officialResult: "Ресми нәтиже (қағаз + электрондық)",
  notPublished: "Әлі жарияланған жоқ.", yes: "Иә", no: "Жоқ", participants: "Қатысқандар",
  valid: "Референдум өтті деп танылды", invalid: "Референдум өтпеді деп танылды",
  adopted: "Қабылданды", rejected: "Қабылданбады", majority: "Көпшілік «иә»", none: "Көпшілік жоқ",
  undetermined: "Анықталмаған", regionsMajority: "«Иә» көпшілігі бар өңірлер: {m} / {r} (кемінде үштен екісі керек)",
  rules: "Заң талаптары: қатысу — сайлаушылардың жартысынан көбі; «иә» — қатысушылардың жартысынан көбі; Конституция үшін — өңірлердің кемінде үштен екісінде.",
  boardTitle: "Тақта", lookupTitle: "Бюллетеньді бақылау коды бойынша табу", find: "Табу",
  notFound: "Мұндай бюллетень тақтада жоқ.", counted: "Есептеледі", superseded: "Кейінгі бюллетеньмен ауыстырылды",
  overridden: "Қағаз дауыспен ауыстырылды", notFinalYet: "Санау басталғанға дейін өзгеруі мүмкін",
  entries: "Жазбалар", fromIndex: "Басталатын нөмір", show: "Көрсету", kind: "Түрі", hash: "Хэш", index: "№",
  next: "Келесі", previous: "Алдыңғы", checkpoint: "Соңғы қол қойылған бақылау нүктесі", upTo: "Жазбаға дейін",
  verifyTitle: "Өзіңіз тексеріңіз",
  verifyIntro: "Бүкіл жазбаны жүктеп, дербес тексерушіні іске қосыңыз. Ол әр бюллетеньнің дәлелдерін, санауды және заң ережелерін тексереді.",
  download: "Жазбаны жүктеу (board.bin)", commands: "Пәрмендер",
  auditPageTitle: "Тексерілген бюллетеньді қайта шифрлау",
  auditPageIntro: "Тақтадағы тексерілген бюллетень жазбасының нөмірін енгізіңіз: браузер оны құпия саннан қайта құрып, салыстырады.",
  entryNumber: "Жазба нөмірі", check: "Тексеру", auditOk: "Сәйкес келеді: құрылғы таңдауды дұрыс шифрлаған.",
  auditBad: "СӘЙКЕС КЕЛМЕЙДІ: құрылғы басқа нәрсені шифрлаған!", notAudited: "Бұл жазба тексерілген бюллетень емес.",
  phase: "Кезең",
};

const ru = {
  site: "Дауыс — республиканский референдум", skip: "Перейти к основному содержанию", language: "Язык",
  nav: "Разделы", navVote: "Голосовать", navTurnout: "Явка", navResults: "Итоги", navBoard: "Доска",
  navVerify: "Проверьте сами", navAudit: "Проверка бюллетеня",
  loading: "Загрузка…", retry: "Повторить", continue: "Продолжить", back: "Назад", change: "Изменить",
  signInTitle: "Вход", signInIntro: "Введите ваш ИИН и код входа из письма.",
  iin: "ИИН (12 цифр)", signInCode: "Код входа", signIn: "Войти",
  questionTitle: "Вопрос", chooseOne: "Выберите один ответ.", review: "Проверить",
  reviewTitle: "Проверьте ваш выбор", youChose: "Ваш выбор:",
  credentialTitle: "Шифрование бюллетеня на вашем устройстве",
  credentialIntro: "Введите код для голосования из письма (24 знака). Код не покидает это устройство: он нужен только для подписи бюллетеня.",
  credentialCode: "Код для голосования", encrypt: "Зашифровать", encrypting: "Бюллетень шифруется на вашем устройстве…",
  castOrAuditTitle: "Бюллетень зашифрован", trackingCode: "Код отслеживания",
  castOrAuditIntro: "Запишите код отслеживания. Теперь опустите бюллетень или проверьте, что он зашифрован верно (проверенный бюллетень не засчитывается, затем шифруется новый).",
  cast: "Опустить бюллетень", audit: "Проверить шифрование", casting: "Бюллетень отправляется…",
  auditTitle: "Бюллетень опубликован для проверки",
  auditIntro: "Этот бюллетень никогда не будет засчитан. Секретное число (seed) и выбор опубликованы на доске: любой может воссоздать бюллетень и убедиться, что устройство зашифровало ваш выбор.",
  auditSeed: "Секретное число (seed)", auditChoices: "Зашифрованный выбор", auditEntry: "Запись на доске",
  auditHow: "Как проверить:", auditPage: "Проверить в браузере", auditAgain: "Зашифровать заново",
  receiptTitle: "Ваш голос принят",
  receiptIntro: "Сохраните код отслеживания и квитанцию: они доказывают, что ваш бюллетень на доске, но не показывают, как вы голосовали.",
  receiptEntry: "Запись на доске", receiptTime: "Время", saveReceipt: "Сохранить квитанцию", print: "Распечатать",
  lookUp: "Найти мой бюллетень на доске",
  receiptOk: "Подпись доски на квитанции и код отслеживания бюллетеня проверены на этом устройстве.",
  receiptBad: "Эта квитанция не прошла проверку: сохраните этот экран и сообщите в избирательную комиссию.",
  revoteNote: "Можно проголосовать ещё раз: засчитывается последний бюллетень. Если вы проголосуете бумажным бюллетенем на участке, бумажный голос заменит электронный.",
  voteAgain: "Проголосовать ещё раз", signOut: "Выйти",
  closedTitle: "Голосование не идёт", notOpen: "Голосование ещё не началось.", closed: "Голосование завершено.",
  opensAt: "Начало: {t}", closesAt: "Окончание: {t}",
  errWrongCode: "Неверный ИИН или код входа.", errBadIIN: "ИИН должен состоять из 12 цифр.",
  errLocked: "Слишком много неверных кодов. Повторите через {m} мин.",
  errSlowed: "Для этого ИИН введено много неверных кодов. Повторите через {s} с.",
  errNetwork: "Связь потеряна. Ваш выбор сохранён: нажмите «Повторить».",
  errCredentialChars: "В коде недопустимый знак: «{c}».", errCredentialLength: "Код должен состоять из 24 знаков (сейчас {n}).",
  errCredentialWrong: "Этот код для голосования не совпадает с кодом из вашего письма. Проверьте ещё раз.",
  errNoCredential: "Для вас электронное голосование невозможно: проголосуйте бумажным бюллетенем на участке.",
  errSession: "Сеанс истёк. Войдите снова: ваш выбор сохранён.",
  errNotOpen: "Голосование сейчас не открыто.", errAudited: "Этот бюллетень был проверен и не может быть опущен.",
  errSequence: "С этим кодом для голосования тем временем был опущен другой бюллетень. Ваш бюллетень зашифрован заново: запишите новый код отслеживания и опустите его снова.",
  errServer: "Сервер отклонил запрос: {m}", errChoose: "Выберите один ответ.",
  sessionWarn: "Ваш сеанс закончится через {m} мин.", extend: "Продлить сеанс", extended: "Сеанс продлён.",
  turnoutTitle: "Явка", eligible: "Избиратели", voted: "Проголосовали", region: "Регион", share: "Доля",
  byHour: "Электронные бюллетени по часам", byRegion: "Явка по регионам", updated: "Обновлено: {t}",
  nationally: "Всего", map: "Картограмма регионов", hour: "Час", ballots: "Бюллетени",
  resultsTitle: "Итоги", provisional: "ПРЕДВАРИТЕЛЬНО, не окончательно", final: "ОКОНЧАТЕЛЬНО",
  evoteResult: "Электронные голоса (опубликованы на доске)", officialResult: "Официальный итог (бумага + электронные)",
  notPublished: "Ещё не опубликовано.", yes: "Да", no: "Нет", participants: "Участвовали",
  valid: "Референдум признан состоявшимся", invalid: "Референдум признан несостоявшимся",
  adopted: "Принято", rejected: "Не принято", majority: "Большинство «да»", none: "Нет большинства",
  undetermined: "Не определено", regionsMajority: "Регионов с большинством «да»: {m} из {r} (нужно не менее двух третей)",
  rules: "Требования закона: явка — более половины избирателей; «да» — более половины участников; для Конституции — не менее чем в двух третях регионов.",
  boardTitle: "Доска", lookupTitle: "Найти бюллетень по коду отслеживания", find: "Найти",
  notFound: "Такого бюллетеня на доске нет.", counted: "Засчитывается", superseded: "Заменён более поздним бюллетенем",
  overridden: "Заменён бумажным голосом", notFinalYet: "Может измениться до подсчёта",
  entries: "Записи", fromIndex: "С номера", show: "Показать", kind: "Тип", hash: "Хеш", index: "№",
  next: "Следующие", previous: "Предыдущие", checkpoint: "Последняя подписанная контрольная точка", upTo: "До записи",
  verifyTitle: "Проверьте сами",
  verifyIntro: "Скачайте всю запись и запустите независимую проверку. Она проверяет доказательства каждого бюллетеня, подсчёт и правила закона.",
  download: "Скачать запись (board.bin)", commands: "Команды",
  auditPageTitle: "Перешифровать проверенный бюллетень",
  auditPageIntro: "Введите номер записи проверенного бюллетеня на доске: браузер воссоздаст его из секретного числа и сравнит.",
  entryNumber: "Номер записи", check: "Проверить", auditOk: "Совпадает: устройство зашифровало выбор верно.",
  auditBad: "НЕ СОВПАДАЕТ: устройство зашифровало другое!", notAudited: "Эта запись — не проверенный бюллетень.",
  phase: "Этап",
};

const en = {
  site: "Dauys — national referendum", skip: "Skip to main content", language: "Language",
  nav: "Sections", navVote: "Vote", navTurnout: "Turnout", navResults: "Results", navBoard: "Board",
  navVerify: "Verify it yourself", navAudit: "Check a ballot",
  loading: "Loading…", retry: "Retry", continue: "Continue", back: "Back", change: "Change",
  signInTitle: "Sign in", signInIntro: "Enter your IIN and the sign-in code from your letter.",
  iin: "IIN (12 digits)", signInCode: "Sign-in code", signIn: "Sign in",
  questionTitle: "Question", chooseOne: "Choose one answer.", review: "Review",
  reviewTitle: "Check your choice", youChose: "You chose:",
  credentialTitle: "Encrypt your ballot on this device",
  credentialIntro: "Enter the voting code from your letter (24 characters). It never leaves this device: it only signs your ballot.",
  credentialCode: "Voting code", encrypt: "Encrypt", encrypting: "Your ballot is being encrypted on this device…",
  castOrAuditTitle: "Your ballot is encrypted", trackingCode: "Tracking code",
  castOrAuditIntro: "Write down the tracking code. Now cast the ballot, or check that it was encrypted correctly (a checked ballot is never counted; a new one is then encrypted).",
  cast: "Cast this ballot", audit: "Check the encryption", casting: "Sending your ballot…",
  auditTitle: "The ballot was published for checking",
  auditIntro: "This ballot will never be counted. Its secret seed and choice are on the public board: anyone can re-create the ballot and confirm your device encrypted what you chose.",
  auditSeed: "Secret seed", auditChoices: "Encrypted choice", auditEntry: "Board entry",
  auditHow: "How to check it:", auditPage: "Check it in the browser", auditAgain: "Encrypt again",
  receiptTitle: "Your vote was received",
  receiptIntro: "Keep the tracking code and the receipt: they prove your ballot is on the board, but not how you voted.",
  receiptEntry: "Board entry", receiptTime: "Time", saveReceipt: "Save receipt", print: "Print",
  lookUp: "Look up my ballot on the board",
  receiptOk: "The board's signature on this receipt and your ballot's tracking code were checked on this device.",
  receiptBad: "This receipt does not check out: keep this screen and tell the election commission.",
  revoteNote: "You may vote again: your last ballot counts. If you vote on paper at your polling station, the paper vote replaces your e-vote.",
  voteAgain: "Vote again", signOut: "Sign out",
  closedTitle: "Voting is not open", notOpen: "Voting has not opened yet.", closed: "Voting has closed.",
  opensAt: "Opens: {t}", closesAt: "Closes: {t}",
  errWrongCode: "The IIN or the sign-in code is wrong.", errBadIIN: "An IIN has 12 digits.",
  errLocked: "Too many wrong codes. Try again in {m} minutes.",
  errSlowed: "Many wrong codes were tried for this IIN. Try again in {s} seconds.",
  errNetwork: "The connection was lost. Your choice is kept: press “Retry”.",
  errCredentialChars: "The code contains a character that is not allowed: “{c}”.", errCredentialLength: "The code has 24 characters (you typed {n}).",
  errCredentialWrong: "This voting code is not the one in your letter. Please check it again.",
  errNoCredential: "You cannot vote online: please vote on paper at your polling station.",
  errSession: "Your session ended. Sign in again: your choice is kept.",
  errNotOpen: "Voting is not open now.", errAudited: "This ballot was checked and can no longer be cast.",
  errSequence: "Another ballot with this voting code was cast meanwhile. Your ballot was encrypted again: write down its new tracking code and cast it.",
  errServer: "The server refused the request: {m}", errChoose: "Choose one answer.",
  sessionWarn: "Your session ends in {m} minutes.", extend: "Extend the session", extended: "The session was extended.",
  turnoutTitle: "Turnout", eligible: "Eligible", voted: "Voted", region: "Region", share: "Share",
  byHour: "E-ballots by hour", byRegion: "Turnout by region", updated: "Updated: {t}",
  nationally: "Total", map: "Cartogram of the regions", hour: "Hour", ballots: "Ballots",
  resultsTitle: "Results", provisional: "PROVISIONAL, not final", final: "FINAL",
  evoteResult: "E-votes (published on the board)", officialResult: "Official result (paper + e-votes)",
  notPublished: "Not published yet.", yes: "Yes", no: "No", participants: "Participants",
  valid: "The referendum is valid", invalid: "The referendum is not valid",
  adopted: "Adopted", rejected: "Not adopted", majority: "“Yes” majority", none: "No majority",
  undetermined: "Undetermined", regionsMajority: "Regions with a “yes” majority: {m} of {r} (at least two thirds needed)",
  rules: "The law's rules: turnout above half of the eligible; “yes” above half of the participants; for the Constitution, in at least two thirds of the regions.",
  boardTitle: "Board", lookupTitle: "Find a ballot by its tracking code", find: "Find",
  notFound: "No such ballot is on the board.", counted: "Counted", superseded: "Replaced by a later ballot",
  overridden: "Replaced by a paper vote", notFinalYet: "may change until the tally",
  entries: "Entries", fromIndex: "From entry", show: "Show", kind: "Kind", hash: "Hash", index: "No.",
  next: "Next", previous: "Previous", checkpoint: "Latest signed checkpoint", upTo: "Up to entry",
  verifyTitle: "Verify it yourself",
  verifyIntro: "Download the whole record and run the independent verifier. It checks every ballot's proofs, the tally and the law's rules.",
  download: "Download the record (board.bin)", commands: "Commands",
  auditPageTitle: "Re-encrypt an audited ballot",
  auditPageIntro: "Enter the board entry of an audited ballot: your browser re-creates it from its seed and compares.",
  entryNumber: "Entry number", check: "Check", auditOk: "It matches: the device encrypted the choice correctly.",
  auditBad: "IT DOES NOT MATCH: the device encrypted something else!", notAudited: "This entry is not an audited ballot.",
  phase: "Phase",
};

export const STRINGS = { kk, ru, en };
export const LANGUAGES = [["kk", "Қазақша"], ["ru", "Русский"], ["en", "English"]];
const listeners = [];
let current = "kk";

function initial() {
  try {
    const saved = localStorage.getItem("dauys-lang");
    if (STRINGS[saved]) return saved;
  } catch { /* storage disabled: fine */ }
  for (const l of navigator.languages ?? [navigator.language]) {
    const p = String(l).slice(0, 2).toLowerCase();
    if (STRINGS[p]) return p;
  }
  return "kk";
}

export function lang() { return current; }

/** A string in the current language, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const s = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

/** A manifest text ({kk, ru, en}) in the current language. */
export function pick(text) { return text?.[current] || text?.kk || ""; }

export function onLanguage(f) { listeners.push(f); }

export function setLanguage(l) {
  if (!STRINGS[l]) return;
  current = l;
  document.documentElement.lang = l;
  try { localStorage.setItem("dauys-lang", l); } catch { /* ignore */ }
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const b of document.querySelectorAll(".lang-switch button")) b.setAttribute("aria-pressed", String(b.lang === l));
  document.title = t(document.body.dataset.title ?? "site") + " — Dauys";
  for (const f of listeners) f(l);
}

/** The language buttons in every page's header; each button names its language in it. */
export function initLanguage() {
  const box = document.querySelector(".lang-switch");
  for (const [code, name] of LANGUAGES) {
    const b = document.createElement("button");
    b.type = "button";
    b.lang = code;
    b.textContent = name;
    b.addEventListener("click", () => setLanguage(code));
    box.append(b);
  }
  setLanguage(initial());
}

export function formatTime(ms) {
  const locale = { kk: "kk-KZ", ru: "ru-RU", en: "en-GB" }[current];
  return new Date(ms).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

export function formatNumber(n) {
  return Number(n).toLocaleString({ kk: "kk-KZ", ru: "ru-RU", en: "en-GB" }[current]);
}
