import type { MaskRule } from '../entities/masking';

/** A URL parameter whose key names personal data: the rule it falls under and what replaces its value. */
export interface ParameterRule {
  rule: MaskRule;
  token: string;
}

const EMAIL: ParameterRule = { rule: 'email', token: '[email]' };
const PHONE: ParameterRule = { rule: 'phone', token: '[phone]' };
const NAME: ParameterRule = { rule: 'name', token: '[name]' };
const ADDRESS: ParameterRule = { rule: 'street-address', token: '[address]' };
const POSTAL: ParameterRule = { rule: 'postal-code', token: '[postal-code]' };
const BIRTHDAY: ParameterRule = { rule: 'birthday', token: '[birthday]' };
const PASSWORD: ParameterRule = { rule: 'password', token: '[password]' };
const CARD: ParameterRule = { rule: 'card-number', token: '[card]' };
const CVC: ParameterRule = { rule: 'card-cvc', token: '[card-cvc]' };
const NATIONAL_ID: ParameterRule = { rule: 'ssn', token: '[national-id]' };
const IBAN: ParameterRule = { rule: 'text-iban', token: '[iban]' };
const ONE_TIME_CODE: ParameterRule = { rule: 'one-time-code', token: '[one-time-code]' };

/**
 * Parameter keys (lower case, letters and digits only) whose value is personal whatever it looks like.
 * A form submitted with GET puts its field names in the URL: `?phone=4155550123` is a phone number
 * even as a bare run of digits no detector would take for one. Search keys (`q`, `query`, `search`)
 * are deliberately absent.
 */
const PARAMETER_RULES: ReadonlyMap<string, ParameterRule> = new Map([
  ...['email', 'mail', 'emailaddress', 'courriel'].map((k) => [k, EMAIL] as const),
  ...[
    'phone',
    'tel',
    'telephone',
    'mobile',
    'mobilephone',
    'cell',
    'cellphone',
    'phonenumber',
    'fax',
    'msisdn',
    'whatsapp',
    'telefon',
    'handy',
  ].map((k) => [k, PHONE] as const),
  ...[
    'name',
    'fullname',
    'firstname',
    'lastname',
    'surname',
    'givenname',
    'familyname',
    'fname',
    'lname',
    'middlename',
    'vorname',
    'nachname',
    'nom',
    'prenom',
  ].map((k) => [k, NAME] as const),
  ...['address', 'addr', 'street', 'streetaddress', 'addressline', 'strasse', 'adresse'].map(
    (k) => [k, ADDRESS] as const,
  ),
  ...['zip', 'zipcode', 'postcode', 'postalcode', 'plz', 'codepostal'].map((k) => [k, POSTAL] as const),
  ...['dob', 'birthday', 'birthdate', 'bday', 'dateofbirth', 'geburtsdatum'].map((k) => [k, BIRTHDAY] as const),
  ...['password', 'passwd', 'pwd', 'pass', 'passcode'].map((k) => [k, PASSWORD] as const),
  ...['cardnumber', 'ccnumber', 'ccnum', 'creditcard'].map((k) => [k, CARD] as const),
  ...['cvc', 'cvv', 'csc', 'cvc2', 'cvv2'].map((k) => [k, CVC] as const),
  ...['ssn', 'nino', 'nationalid', 'taxid', 'passport', 'passportnumber'].map((k) => [k, NATIONAL_ID] as const),
  ...['iban', 'bankaccount', 'accountnumber'].map((k) => [k, IBAN] as const),
  ...['otp', 'totp', 'onetimecode', 'verificationcode'].map((k) => [k, ONE_TIME_CODE] as const),
]);

/** Every parameter rule once: its token and rule (for counting tokens found in stored text). */
export const PARAMETER_RULE_LIST: readonly ParameterRule[] = [...new Set(PARAMETER_RULES.values())];

// Prefixes forms put before a field's name (`billing_phone`, `user[email]`, `shippingAddress1`).
const KEY_PREFIX = /^(?:billing|shipping|delivery|user|customer|contact|account|your|my|primary|home|work)+/;

/** Longest key looked up: anything longer is no form field name of interest. */
const MAX_KEY_CHARS = 64;

// Pages repeat the same keys (`id`, `q`, `page`): their rules are looked up once. Bounded, since
// URLs choose their own keys.
const RULE_CACHE = new Map<string, ParameterRule | null>();
const RULE_CACHE_ENTRIES = 1024;

/** The rule a URL parameter key falls under, or undefined for an ordinary key (`q`, `page`, `sku`). */
export function parameterRule(key: string): ParameterRule | undefined {
  if (key.length === 0 || key.length > MAX_KEY_CHARS) return undefined;
  const cached = RULE_CACHE.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const rule = lookUp(key);
  if (RULE_CACHE.size < RULE_CACHE_ENTRIES) RULE_CACHE.set(key, rule ?? null);
  return rule;
}

function lookUp(key: string): ParameterRule | undefined {
  let normalized: string;
  try {
    normalized = decodeURIComponent(key);
  } catch {
    normalized = key;
  }
  normalized = normalized.toLowerCase().replace(/[^a-z0-9]/g, '');
  const direct = PARAMETER_RULES.get(normalized);
  if (direct) return direct;
  const bare = normalized.replace(KEY_PREFIX, '').replace(/\d+$/, '');
  return PARAMETER_RULES.get(bare);
}
