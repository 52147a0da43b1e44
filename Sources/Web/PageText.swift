// The answer pages' own words in every built-in language; the JSON "detail" they show stays as the contract has it.
import OTP

/// A `switch` over literals, as BuiltInMessages: only the page's language is ever touched.
struct PageText: Sendable {
    let codeSent, codeVerified, codeNotSent, codeNotAccepted: String
    let channel, emailOrPhone, code, checkCode, sendCode, continueLabel, email: String
    /// `expiresAt` holds `{time}`, where the page puts the code's expiry in UTC.
    let expiresAt, sendNewCode, back: String

    /// The exact tag only; `language(for:default:)` walks the truncations.
    static func exact(_ tag: String) -> PageText? {
        switch tag {
        case "en": .init("Code sent", "Verified", "Code not sent", "Code not accepted",
                         "Channel", "Email or phone", "Code", "Check code", "Send code", "Continue", "Email",
                         "It expires at {time}.", "Send a new code", "Back")
        case "es": .init("Código enviado", "Código verificado", "Código no enviado", "Código no aceptado",
                         "Canal", "Correo electrónico o teléfono", "Código", "Comprobar código", "Enviar código", "Continuar", "Correo electrónico",
                         "Caduca a las {time}.", "Enviar un código nuevo", "Volver")
        case "fr": .init("Code envoyé", "Code vérifié", "Code non envoyé", "Code refusé",
                         "Canal", "E-mail ou téléphone", "Code", "Vérifier le code", "Envoyer le code", "Continuer", "E-mail",
                         "Il expire à {time}.", "Envoyer un nouveau code", "Retour")
        case "de": .init("Code gesendet", "Code bestätigt", "Code nicht gesendet", "Code nicht akzeptiert",
                         "Kanal", "E-Mail oder Telefon", "Code", "Code prüfen", "Code senden", "Weiter", "E-Mail",
                         "Er läuft um {time} ab.", "Neuen Code senden", "Zurück")
        case "it": .init("Codice inviato", "Codice verificato", "Codice non inviato", "Codice non accettato",
                         "Canale", "Email o telefono", "Codice", "Verifica il codice", "Invia il codice", "Continua", "Email",
                         "Scade alle {time}.", "Invia un nuovo codice", "Indietro")
        case "pt": .init("Código enviado", "Código verificado", "Código não enviado", "Código não aceite",
                         "Canal", "Email ou telemóvel", "Código", "Verificar código", "Enviar código", "Continuar", "Email",
                         "Expira às {time}.", "Enviar um novo código", "Voltar")
        case "pt-BR": .init("Código enviado", "Código verificado", "Código não enviado", "Código não aceito",
                            "Canal", "E-mail ou celular", "Código", "Verificar código", "Enviar código", "Continuar", "E-mail",
                            "Expira às {time}.", "Enviar um novo código", "Voltar")
        case "nl": .init("Code verzonden", "Code geverifieerd", "Code niet verzonden", "Code niet geaccepteerd",
                         "Kanaal", "E-mail of telefoon", "Code", "Code controleren", "Code versturen", "Doorgaan", "E-mail",
                         "Hij verloopt om {time}.", "Nieuwe code versturen", "Terug")
        case "pl": .init("Kod wysłany", "Kod zweryfikowany", "Kod nie został wysłany", "Kod nie został przyjęty",
                         "Kanał", "E-mail lub telefon", "Kod", "Sprawdź kod", "Wyślij kod", "Dalej", "E-mail",
                         "Wygasa o {time}.", "Wyślij nowy kod", "Wstecz")
        case "tr": .init("Kod gönderildi", "Kod doğrulandı", "Kod gönderilemedi", "Kod kabul edilmedi",
                         "Kanal", "E-posta veya telefon", "Kod", "Kodu doğrula", "Kod gönder", "Devam", "E-posta",
                         "{time} itibarıyla geçersiz olur.", "Yeni kod gönder", "Geri")
        case "ru": .init("Код отправлен", "Код подтверждён", "Код не отправлен", "Код не принят",
                         "Канал", "Эл. почта или телефон", "Код", "Проверить код", "Отправить код", "Продолжить", "Эл. почта",
                         "Действует до {time}.", "Отправить новый код", "Назад")
        case "ar": .init("تم إرسال الرمز", "تم التحقق من الرمز", "لم يتم إرسال الرمز", "لم يتم قبول الرمز",
                         "القناة", "البريد الإلكتروني أو الهاتف", "الرمز", "تحقق من الرمز", "إرسال الرمز", "متابعة", "البريد الإلكتروني",
                         "تنتهي صلاحيته عند {time}.", "إرسال رمز جديد", "رجوع")
        case "zh": .init("验证码已发送", "验证码已验证", "验证码未发送", "验证码未通过",
                         "方式", "电子邮箱或手机号", "验证码", "检查验证码", "发送验证码", "继续", "电子邮件",
                         "将于 {time} 过期。", "发送新验证码", "返回")
        case "ja": .init("コードを送信しました", "コードを確認しました", "コードを送信できませんでした", "コードが受け付けられませんでした",
                         "送信方法", "メールアドレスまたは電話番号", "コード", "コードを確認", "コードを送信", "続ける", "メール",
                         "{time} に有効期限が切れます。", "新しいコードを送信", "戻る")
        case "hi": .init("कोड भेजा गया", "कोड सत्यापित हुआ", "कोड नहीं भेजा गया", "कोड स्वीकार नहीं हुआ",
                         "चैनल", "ईमेल या फ़ोन", "कोड", "कोड जाँचें", "कोड भेजें", "जारी रखें", "ईमेल",
                         "यह {time} पर समाप्त होगा।", "नया कोड भेजें", "वापस")
        case "id": .init("Kode terkirim", "Kode terverifikasi", "Kode tidak terkirim", "Kode tidak diterima",
                         "Saluran", "Email atau telepon", "Kode", "Periksa kode", "Kirim kode", "Lanjutkan", "Email",
                         "Berlaku hingga {time}.", "Kirim kode baru", "Kembali")
        default: nil
        }
    }

    /// The page's language: the first truncation with page text, else the default locale's, else English.
    static func language(for tag: LanguageTag?, default fallback: LanguageTag) -> (tag: LanguageTag, text: PageText) {
        for start in [tag, fallback] {
            if let found = start?.firstTruncation(where: { exact($0.description) != nil }) { return (found, exact(found.description)!) }
        }
        return (.english, exact("en")!)
    }

    private init(_ codeSent: String, _ codeVerified: String, _ codeNotSent: String, _ codeNotAccepted: String, _ channel: String,
                 _ emailOrPhone: String, _ code: String, _ checkCode: String, _ sendCode: String, _ continueLabel: String, _ email: String,
                 _ expiresAt: String, _ sendNewCode: String, _ back: String) {
        (self.codeSent, self.codeVerified, self.codeNotSent, self.codeNotAccepted) = (codeSent, codeVerified, codeNotSent, codeNotAccepted)
        (self.channel, self.emailOrPhone, self.code, self.checkCode) = (channel, emailOrPhone, code, checkCode)
        (self.sendCode, self.continueLabel, self.email) = (sendCode, continueLabel, email)
        (self.expiresAt, self.sendNewCode, self.back) = (expiresAt, sendNewCode, back)
    }
}
