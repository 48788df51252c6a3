/**
 * Who a demo customer is: country (and so billing currency and VAT), contact, company, industry
 * and team size. Names come in the customer's language, with their accents (the files are
 * UTF-8) and the odd comma or quote in a company name (the files are RFC 4180 CSV).
 */
import type { DemoCurrency } from './demo-plans.js';
import type { SeededRandom } from './seeded-random.js';

type Language = 'en' | 'de' | 'fr' | 'nl' | 'es' | 'pt' | 'sv' | 'ja' | 'hi';

interface Country {
  readonly code: string;
  /** Share of customers, in percent. */
  readonly weight: number;
  readonly currency: DemoCurrency;
  /** VAT in percent, charged on top of the amount; 0 where none is collected. */
  readonly vatPercent: number;
  readonly language: Language;
  /** The offset in minutes its people's timestamps are written with, when they carry one. */
  readonly offsetMinutes: number;
  readonly suffixes: readonly string[];
  readonly tld: string;
}

// EUR (12 %) and GBP (9 %) together bill about a fifth of the customers, as performance.md asks.
const COUNTRIES: readonly Country[] = [
  { code: 'US', weight: 54, currency: 'USD', vatPercent: 0, language: 'en', offsetMinutes: -300, suffixes: ['Inc.', ', Inc.', 'LLC', 'Corp.', ''], tld: 'com' },
  { code: 'CA', weight: 8, currency: 'USD', vatPercent: 0, language: 'en', offsetMinutes: -300, suffixes: ['Inc.', 'Ltd.', ''], tld: 'ca' },
  { code: 'AU', weight: 5, currency: 'USD', vatPercent: 0, language: 'en', offsetMinutes: 600, suffixes: ['Pty Ltd', ''], tld: 'com.au' },
  { code: 'IN', weight: 3, currency: 'USD', vatPercent: 0, language: 'hi', offsetMinutes: 330, suffixes: ['Pvt Ltd', ''], tld: 'in' },
  { code: 'BR', weight: 2, currency: 'USD', vatPercent: 0, language: 'pt', offsetMinutes: -180, suffixes: ['Ltda.', ''], tld: 'com.br' },
  { code: 'SG', weight: 2, currency: 'USD', vatPercent: 0, language: 'en', offsetMinutes: 480, suffixes: ['Pte. Ltd.'], tld: 'sg' },
  { code: 'JP', weight: 1, currency: 'USD', vatPercent: 0, language: 'ja', offsetMinutes: 540, suffixes: ['K.K.', ''], tld: 'jp' },
  { code: 'CH', weight: 2, currency: 'USD', vatPercent: 0, language: 'de', offsetMinutes: 60, suffixes: ['AG', 'GmbH'], tld: 'ch' },
  { code: 'SE', weight: 2, currency: 'USD', vatPercent: 0, language: 'sv', offsetMinutes: 60, suffixes: ['AB'], tld: 'se' },
  { code: 'GB', weight: 9, currency: 'GBP', vatPercent: 20, language: 'en', offsetMinutes: 0, suffixes: ['Ltd', 'Limited', 'LLP', ''], tld: 'co.uk' },
  { code: 'DE', weight: 5, currency: 'EUR', vatPercent: 19, language: 'de', offsetMinutes: 60, suffixes: ['GmbH', 'AG', 'UG', 'GmbH & Co. KG'], tld: 'de' },
  { code: 'FR', weight: 3, currency: 'EUR', vatPercent: 20, language: 'fr', offsetMinutes: 60, suffixes: ['SAS', 'SARL', 'SA'], tld: 'fr' },
  { code: 'NL', weight: 2, currency: 'EUR', vatPercent: 21, language: 'nl', offsetMinutes: 60, suffixes: ['B.V.'], tld: 'nl' },
  { code: 'ES', weight: 1, currency: 'EUR', vatPercent: 21, language: 'es', offsetMinutes: 60, suffixes: ['S.L.', 'S.A.'], tld: 'es' },
  { code: 'IE', weight: 1, currency: 'EUR', vatPercent: 23, language: 'en', offsetMinutes: 0, suffixes: ['Ltd', 'DAC'], tld: 'ie' },
];
const COUNTRY_WEIGHTS: readonly (readonly [Country, number])[] = COUNTRIES.map((country) => [country, country.weight]);

const FIRST_NAMES: Readonly<Record<Language, readonly string[]>> = {
  en: ['James', 'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Ethan', 'Sophia', 'Mason', 'Isabella', 'Lucas', 'Mia', 'Henry', 'Charlotte', 'Jack', 'Amelia', 'Owen', 'Harper', 'Daniel', 'Grace', 'Samuel', 'Chloe', 'Aiden', 'Zoë', 'Priya', 'Wei', 'Carlos', 'Fatima', 'Sean', 'Niamh'],
  de: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Marie', 'Maximilian', 'Sophie', 'Jürgen', 'Katharina', 'Tobias', 'Jana', 'Matthias', 'Lena', 'Sebastian', 'Jörg', 'Sabine', 'Stefan', 'Ulrike', 'Björn'],
  fr: ['Louis', 'Chloé', 'Gabriel', 'Léa', 'Hugo', 'Manon', 'Jules', 'Camille', 'Théo', 'Inès', 'Arthur', 'Élodie', 'François', 'Océane', 'Mathéo', 'Anaïs', 'Rémi', 'Céline', 'Benoît', 'Sophie'],
  nl: ['Daan', 'Emma', 'Sem', 'Julia', 'Lucas', 'Tess', 'Bram', 'Sanne', 'Thijs', 'Fleur', 'Joris', 'Lotte', 'Ruben', 'Anouk', 'Pieter', 'Femke'],
  es: ['Hugo', 'Lucía', 'Martín', 'Sofía', 'Pablo', 'María', 'Álvaro', 'Paula', 'Javier', 'Carmen', 'José', 'Elena', 'Andrés', 'Marta', 'Sergio', 'Núria'],
  pt: ['João', 'Ana', 'Pedro', 'Beatriz', 'Lucas', 'Mariana', 'Gabriel', 'Júlia', 'Rafael', 'Larissa', 'Thiago', 'Camila'],
  sv: ['Erik', 'Elsa', 'Lars', 'Astrid', 'Oskar', 'Maja', 'Nils', 'Ingrid', 'Anders', 'Saga', 'Björn', 'Linnéa'],
  ja: ['Haruto', 'Yui', 'Sota', 'Hina', 'Ren', 'Aoi', 'Takumi', 'Sakura', 'Kenji', 'Yuki', 'Daiki', 'Mei'],
  hi: ['Aarav', 'Ananya', 'Vivaan', 'Diya', 'Arjun', 'Saanvi', 'Rohan', 'Priya', 'Karan', 'Isha', 'Rahul', 'Neha'],
};

const LAST_NAMES: Readonly<Record<Language, readonly string[]>> = {
  en: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Jackson', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', "O'Brien", "O'Connor", 'Murphy', 'Patel', 'Nguyen', 'Chen', 'Kim', 'Garcia', 'Evans', 'Hughes'],
  de: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Krüger', 'Weiß'],
  fr: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Lefèvre', 'Fournier', 'Girard', 'Lambert', 'Rousseau', 'Vincent', 'Mercier', 'Faure', 'Gauthier', 'Bénard'],
  nl: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Janssen', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters'],
  es: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno', 'Muñoz'],
  pt: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Gomes', 'Costa', 'Araújo'],
  sv: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Lindström', 'Åberg'],
  ja: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato', 'Yoshida', 'Yamada'],
  hi: ['Sharma', 'Verma', 'Gupta', 'Singh', 'Kumar', 'Patel', 'Reddy', 'Iyer', 'Nair', 'Mehta', 'Joshi', 'Rao'],
};

export const DEMO_INDUSTRIES = [
  'software', 'ecommerce', 'fintech', 'healthcare', 'education', 'media', 'manufacturing', 'agency', 'nonprofit', 'logistics',
] as const;
export type DemoIndustry = (typeof DEMO_INDUSTRIES)[number];

const INDUSTRY_WEIGHTS: readonly (readonly [DemoIndustry, number])[] = [
  ['software', 24], ['ecommerce', 16], ['fintech', 9], ['healthcare', 8], ['education', 7],
  ['media', 8], ['manufacturing', 7], ['agency', 11], ['nonprofit', 4], ['logistics', 6],
];

const INDUSTRY_WORDS: Readonly<Record<DemoIndustry, readonly string[]>> = {
  software: ['Labs', 'Software', 'Systems', 'Cloud', 'Technologies', 'AI'],
  ecommerce: ['Goods', 'Shop', 'Market', 'Supply Co.', 'Outfitters', 'Store'],
  fintech: ['Capital', 'Pay', 'Finance', 'Ledger', 'Money'],
  healthcare: ['Health', 'Care', 'Clinics', 'Medical', 'Therapeutics'],
  education: ['Learning', 'Academy', 'School', 'Education', 'Tutors'],
  media: ['Media', 'Studios', 'Publishing', 'Press', 'Films'],
  manufacturing: ['Industries', 'Manufacturing', 'Works', 'Components', 'Tooling'],
  agency: ['Agency', 'Creative', 'Partners', 'Digital', 'Consulting'],
  nonprofit: ['Foundation', 'Trust', 'Alliance', 'Initiative', 'Fund'],
  logistics: ['Logistics', 'Freight', 'Transport', 'Shipping', 'Couriers'],
};

const COMPANY_ROOTS: readonly string[] = [
  'Northwind', 'Bluebird', 'Acme', 'Lumen', 'Vertex', 'Harbor', 'Pinecrest', 'Quantum', 'Brightline', 'Cobalt', 'Redwood',
  'Silverline', 'Tidal', 'Summit', 'Evergreen', 'Ironclad', 'Nimbus', 'Orbit', 'Polaris', 'Sparrow', 'Granite', 'Maple',
  'Atlas', 'Beacon', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Juniper', 'Kestrel', 'Lighthouse', 'Meridian', 'Nova',
  'Oakridge', 'Prism', 'Riverbend', 'Sequoia', 'Trellis', 'Vantage', 'Willow', 'Zephyr', 'Aurora', 'Basalt', 'Copper',
  'Driftwood', 'Foxglove', 'Hawthorn', 'Indigo', 'Lantern', 'Mosaic', 'Northstar', 'Pebble', 'Quill', 'Saffron', 'Tundra',
];

export const DEMO_TEAM_SIZES = ['1-10', '11-50', '51-200', '201-1000'] as const;
export type DemoTeamSize = (typeof DEMO_TEAM_SIZES)[number];
const TEAM_SIZE_WEIGHTS: readonly (readonly [DemoTeamSize, number])[] = [['1-10', 45], ['11-50', 35], ['51-200', 15], ['201-1000', 5]];

export interface DemoProfile {
  readonly name: string;
  readonly email: string;
  readonly company: string;
  readonly country: string;
  readonly currency: DemoCurrency;
  readonly vatPercent: number;
  readonly offsetMinutes: number;
  readonly industry: DemoIndustry;
  readonly teamSize: DemoTeamSize;
}

const ASCII_FOLD: Readonly<Record<string, string>> = {
  à: 'a', á: 'a', â: 'a', ä: 'a', å: 'a', ã: 'a', ç: 'c', è: 'e', é: 'e', ê: 'e', ë: 'e', ì: 'i', í: 'i', î: 'i', ï: 'i',
  ñ: 'n', ò: 'o', ó: 'o', ô: 'o', ö: 'o', õ: 'o', ø: 'o', ù: 'u', ú: 'u', û: 'u', ü: 'u', ß: 'ss',
};

/** Lower-case ASCII for e-mail addresses and domains; a fixed table, not `normalize()`, so that
 * no Unicode-data version of the runtime can change an address. */
function slug(text: string): string {
  let out = '';
  for (const char of text.toLowerCase()) {
    const folded = ASCII_FOLD[char] ?? char;
    if (/^[a-z0-9]+$/.test(folded)) out += folded;
  }
  return out;
}

export function demoProfile(rng: SeededRandom): DemoProfile {
  const country = rng.weighted(COUNTRY_WEIGHTS);
  const first = rng.pick(FIRST_NAMES[country.language]);
  const last = rng.pick(LAST_NAMES[country.language]);
  const industry = rng.weighted(INDUSTRY_WEIGHTS);
  const teamSize = rng.weighted(TEAM_SIZE_WEIGHTS);
  const root = rng.pick(COMPANY_ROOTS);
  const word = rng.pick(INDUSTRY_WORDS[industry]);
  let company: string;
  let domainName = `${root}${word}`;
  if (country.language === 'de' && rng.chance(0.05)) {
    // German trade names are often quoted: this exercises CSV quote escaping.
    company = `${word} "${root}" ${rng.pick(country.suffixes)}`.trim();
  } else if (rng.chance(0.08)) {
    const partner = rng.pick(LAST_NAMES[country.language]);
    company = `${last} & ${partner}`;
    domainName = `${last}${partner}`;
  } else {
    const suffix = industry === 'nonprofit' ? '' : rng.pick(country.suffixes);
    company = suffix.startsWith(',') ? `${root} ${word}${suffix}` : `${root} ${word} ${suffix}`.trim();
  }
  const domain = `${slug(domainName)}.${industry === 'nonprofit' ? 'org' : country.tld}`;
  const local = rng.chance(0.7) ? `${slug(first)}.${slug(last)}` : slug(first);
  return {
    name: `${first} ${last}`,
    email: `${local}@${domain}`,
    company,
    country: country.code,
    currency: country.currency,
    vatPercent: country.vatPercent,
    offsetMinutes: country.offsetMinutes,
    industry,
    teamSize,
  };
}
