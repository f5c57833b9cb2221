import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { shippedTopic } from './topic-loader.js';

const topic = shippedTopic();

// [expected match, id, title, text]: borderline stories written for these tests, grounded on real events.
const CASES: Array<[boolean, string, string, string]> = [
  [false, 'OPEC meeting lists Iran and Venezuela among members', 'Iran, Venezuela among OPEC members at Vienna meeting',
    'OPEC ministers met in Vienna on Thursday to discuss output quotas. Iran and Venezuela, both under US sanctions, are exempt from the cuts. Saudi Arabia pushed for deeper reductions as Brent fell below $80.'],
  [false, 'a football friendly "meets" no diplomacy', 'Iran and Argentina to play friendly in Buenos Aires',
    'Iran’s national football team will face Argentina in a friendly match in Buenos Aires in March, the federation said. The coach said the game was ideal preparation for the World Cup.'],
  [false, 'Maduro in Moscow, Iran named as one of his allies', 'Maduro arrives in Moscow for talks with Putin',
    'Venezuelan President Nicolás Maduro arrived in Moscow on Tuesday for talks with Vladimir Putin on energy and military cooperation.\n\nMaduro, a close ally of Iran, Cuba and Russia, has sought to break his isolation.\n\nThe Kremlin said the two leaders would sign agreements on oil.'],
  [false, 'nuclear file with Latin American Security Council members', 'IAEA board to meet on Iran',
    'The IAEA board of governors will meet next week to discuss Iran’s nuclear programme. Diplomats from Brazil and Mexico, non-permanent members of the Security Council, said they favour dialogue.'],
  [true, 'mourning for Raisi (May 2024)', 'Venezuela declares three days of mourning for Raisi',
    'Venezuelan President Nicolás Maduro declared three days of national mourning on Monday after Iranian President Ebrahim Raisi died in a helicopter crash.\n\nMaduro called Raisi a brother and a friend of Venezuela.'],
  [true, 'meeting on the sidelines of the UN General Assembly', 'Pezeshkian meets Lula on UNGA sidelines',
    'Iranian President Masoud Pezeshkian met Brazilian President Luiz Inácio Lula da Silva on the sidelines of the UN General Assembly in New York on Tuesday.'],
  [true, 'a row even though "designated" is a sanctions word', 'Argentina designates IRGC as terrorist organisation',
    'Argentina’s government on Friday designated Iran’s Revolutionary Guards a terrorist organisation, citing the 1994 AMIA bombing. Tehran condemned the decision and summoned the Argentine chargé d’affaires.'],
  [true, 'congratulations in Spanish', 'Raisi felicita a Lula por su victoria',
    'El presidente de Irán, Ebrahim Raisi, felicitó a Luiz Inácio Lula da Silva por su victoria en las elecciones presidenciales de Brasil y expresó su deseo de ampliar las relaciones bilaterales.'],
  [true, 'a deputy minister in La Paz, in Portuguese', 'Irã quer ampliar comércio com a Bolívia',
    'O vice-chanceler iraniano para diplomacia econômica, Mehdi Safari, disse em La Paz que Teerã quer ampliar o comércio com a Bolívia e abrir uma linha de crédito.'],
  [true, 'US sanctions named in passing do not sink a visit', 'Iranian oil minister visits Caracas to expand energy cooperation',
    'Iranian Oil Minister Javad Owji arrived in Caracas on Monday to expand energy cooperation with Venezuela, defying sanctions imposed by Washington.\n\nOwji and Venezuelan officials discussed refinery repairs and fuel shipments.\n\nThe United States has accused both governments of evading its sanctions.'],
];

describe('detect: borderline stories', () => {
  it.each(CASES)('match=%s: %s', (expected, _why, title, text) => {
    const verdict = detect({ title, text }, topic);
    expect(verdict.match, JSON.stringify(verdict.reasons)).toBe(expected);
  });
});
