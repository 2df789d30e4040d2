import type { MaskRule } from '@codesight/schema';
import { labelledByText, labelTexts } from './accessible-name';
import { normalizeDescriptor } from './normalize-descriptor';

export { normalizeDescriptor };

/** The mask rules a form field can fall under because of what it is (not because of what was typed). */
export type FieldRule = Extract<
  MaskRule,
  | 'password'
  | 'email'
  | 'phone'
  | 'card-number'
  | 'card-cvc'
  | 'card-expiry'
  | 'ssn'
  | 'one-time-code'
  | 'name'
  | 'street-address'
  | 'postal-code'
  | 'birthday'
>;

/**
 * Autocomplete tokens (WHATWG autofill field names) and the rule each puts a field under; exported for
 * the privacy page, which lists them. They are the most reliable signal: payment forms that use type=text
 * or type=tel for card fields still tag them (Stripe, Adyen, Shopify checkouts do).
 */
export const AUTOCOMPLETE_RULES: Readonly<Record<string, FieldRule>> = {
  'current-password': 'password',
  'new-password': 'password',
  'one-time-code': 'one-time-code',
  'cc-number': 'card-number',
  'cc-csc': 'card-cvc',
  'cc-exp': 'card-expiry',
  'cc-exp-month': 'card-expiry',
  'cc-exp-year': 'card-expiry',
  email: 'email',
  tel: 'phone',
  'tel-national': 'phone',
  'tel-local': 'phone',
  'tel-country-code': 'phone',
  'tel-area-code': 'phone',
  'tel-local-prefix': 'phone',
  'tel-local-suffix': 'phone',
  'tel-extension': 'phone',
  // Personal data (issue 14). `cc-name` is the name on a card; `username` is an account handle, not a
  // person's name, and stays. City, region and country (address-level1..4, country) stay too: coarse.
  name: 'name',
  'given-name': 'name',
  'additional-name': 'name',
  'family-name': 'name',
  'honorific-prefix': 'name',
  'honorific-suffix': 'name',
  nickname: 'name',
  'cc-name': 'name',
  'cc-given-name': 'name',
  'cc-additional-name': 'name',
  'cc-family-name': 'name',
  'street-address': 'street-address',
  'address-line1': 'street-address',
  'address-line2': 'street-address',
  'address-line3': 'street-address',
  'postal-code': 'postal-code',
  bday: 'birthday',
  'bday-day': 'birthday',
  'bday-month': 'birthday',
  'bday-year': 'birthday',
};

/**
 * Name/id/label heuristics, checked in this order against the field's descriptors (normalised: camelCase
 * split, lower case, `_-.` as spaces). Order matters: "card security code" is a CVC before it is a card
 * number, "card expiry" an expiry, "code sent to your phone" a one-time code before a phone. Latin patterns
 * use word boundaries; other scripts match as substrings (`\b` is ASCII-only in JS). Bank account numbers
 * (IBAN) have no rule of their own yet and count as card numbers: a payment instrument, hidden the same way.
 */
const HEURISTICS: readonly (readonly [FieldRule, RegExp])[] = [
  [
    'password',
    /\b(?:pass ?word|passwd|pwd|pass ?phrase|passcode|kennwort|passwort|contrase[ñn]a|mot de passe|senha|wachtwoord|has[łl]o|lozinka)|пароль|パスワード|密码|密碼|비밀번호/,
  ],
  [
    'one-time-code',
    /\b(?:otp|totp|2fa|mfa|one ?time|verification ?code|verify ?code|confirmation ?code|auth(?:entication)? ?code|sms ?code|security ?code sent|einmal ?code|einmalpasswort|best[äa]tigungscode|verifizierungscode|code de v[ée]rification|c[óo]digo de verifica[cç]i[óo]n|c[óo]digo de verifica[cç][ãa]o|codice di verifica)|код подтверждения|認証コード|確認コード|验证码|驗證碼|인증 ?번호/,
  ],
  [
    'card-cvc',
    /\b(?:cv[cv]2?|cvn|csc|card ?code|card ?verification|security ?code|sicherheitscode|pr[üu]fnummer|kartenpr[üu]f\w*|cryptogramme|code de s[ée]curit[ée]|c[óo]digo de seguridad|codice di sicurezza|c[óo]digo de seguran[çc]a)\b|код безопасности|セキュリティコード|安全码|보안 ?코드/,
  ],
  [
    'card-expiry',
    /\b(?:exp|expiry|expiration|expires|exp ?date|valid ?(?:thru|through|until)|ablauf\w*|g[üu]ltig ?bis|g[üu]ltigkeit\w*|date d'expiration|date d expiration|vencimiento|caducidad|scadenza|validade)\b|\bmm ?\/ ?(?:yy|jj|aa)|срок действия|有効期限|有效期/,
  ],
  [
    'card-number',
    /\b(?:card ?(?:number|no|num|nr|#)|cc ?(?:number|num|no)|ccnum|cardnum\w*|credit ?card|debit ?card|kartennummer|karten ?nr|num[ée]ro de (?:la )?carte|n[úu]mero de (?:la )?tarjeta|numero (?:della )?carta|n[úu]mero do cart[ãa]o|iban|kontonummer|account ?(?:number|no)|bank ?account)\b|номер карты|カード番号|卡号|卡號|카드 ?번호/,
  ],
  [
    'ssn',
    /\b(?:ssn|social ?security|national ?(?:id|identity|insurance)|tax ?(?:id|number)|passport ?(?:number|no)?|driver'?s? ?licen[cs]e|sozialversicherung\w*|steuer ?id|steueridentifikation\w*|personalausweis\w*|s[ée]curit[ée] sociale|dni|nif|cpf|curp|codice fiscale|bsn|pesel|personnummer|henkil[öo]tunnus)\b|снилс|инн|マイナンバー|身份证|주민등록/,
  ],
  [
    'email',
    /(?:^|[^a-z])e ?mail|email|courriel|correo|posta elettronica|электронн|почта|メール|邮箱|電子郵件|电子邮件|이메일/,
  ],
  [
    'phone',
    /\b(?:phone\w*|tel|tel ?no|telephone|mobile(?:phone|number|no)?|cell|cellphone|handy(?:nummer)?|fax|msisdn|whatsapp|telefon\w*|t[ée]l[ée]phone|tel[ée]fono|celular|m[óo]vil|cellulare)\b|телефон|電話|电话|手机|전화/,
  ],
  // Personal data (issue 14), after email: "email address" is an email field, not a street address.
  // A descriptor that is just "name" (name="name", a "Name" label) counts; "username", "company name",
  // "product name" do not.
  [
    'birthday',
    /\b(?:birthday|birth ?date|date of birth|dob|bday|geburtsdatum|geburtstag|date de naissance|fecha de nacimiento|data di nascita|data de nascimento)\b|дата рождения|生年月日|出生日期|생년월일/,
  ],
  [
    'postal-code',
    /\b(?:zip|zip ?code|zipcode|postal ?code|post ?code|postcode|plz|postleitzahl|code postal|c[óo]digo postal|cep)\b|почтовый индекс|郵便番号|邮编|邮政编码|우편번호/,
  ],
  [
    'street-address',
    /\b(?:street|street ?address|address(?: ?line)?(?: ?\d)?|addr ?\d?|house ?(?:number|no)|stra[ßs]e|hausnummer|anschrift|adresse|direcci[óo]n|indirizzo|endere[çc]o)\b|адрес|住所|地址|주소/,
  ],
  [
    'name',
    /(?:^|\| )(?:your )?name(?: \||$)|\b(?:full ?name|first ?name|last ?name|given ?name|family ?name|sur ?name|middle ?name|fname|lname|name on card|card ?holder(?: ?name)?|vorname|nachname|pr[ée]nom|nom de famille|nombre completo|apellidos?|nome completo|cognome|imi[ęe]|nazwisko)\b|имя|фамилия|氏名|姓名|名前|이름/,
  ],
];

// Controls whose value the page set, not the user: their value is never masked as a field.
const NON_TEXT_INPUT_TYPES = new Set([
  'checkbox',
  'radio',
  'button',
  'submit',
  'reset',
  'image',
  'hidden',
  'range',
  'color',
  'file',
]);

/**
 * Which field rule `el` falls under, judged by type, autocomplete tokens, inputmode, and name / id /
 * placeholder / aria-label / label text in several languages; undefined for an ordinary field.
 */
export function classifyField(el: Element): FieldRule | undefined {
  const tag = el.localName;
  const type = tag === 'input' ? (el.getAttribute('type') ?? 'text').toLowerCase() : '';
  if (tag === 'input' && NON_TEXT_INPUT_TYPES.has(type)) return undefined;
  if (type === 'password') return 'password';

  const autocomplete = (el.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/);
  for (const token of autocomplete) {
    // Own keys only: `autocomplete="constructor"` must not find Object.prototype's.
    const rule = Object.hasOwn(AUTOCOMPLETE_RULES, token) ? AUTOCOMPLETE_RULES[token] : undefined;
    if (rule) return rule;
  }

  const descriptors = fieldDescriptors(el);
  for (const [rule, pattern] of HEURISTICS) {
    if (pattern.test(descriptors)) return rule;
  }

  if (type === 'email') return 'email';
  if (type === 'tel') return 'phone';
  const inputMode = (el.getAttribute('inputmode') ?? '').toLowerCase();
  if (inputMode === 'email') return 'email';
  if (inputMode === 'tel') return 'phone';
  return undefined;
}

/** The texts that describe a field, normalised and joined with ` | ` so patterns never span two of them. */
export function fieldDescriptors(el: Element): string {
  const raw = [
    el.getAttribute('name'),
    el.getAttribute('id'),
    el.getAttribute('placeholder'),
    el.getAttribute('aria-label'),
    el.getAttribute('title'),
    el.getAttribute('data-testid'),
    labelledByText(el),
    ...labelTexts(el),
  ];
  return raw
    .filter((s): s is string => !!s)
    .map(normalizeDescriptor)
    .join(' | ');
}
