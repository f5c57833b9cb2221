import type { DetectInput, EventType } from '../../src/detect/types.js';

/**
 * Short articles written for these tests, grounded on real events but in our own words. Each is what
 * Readability would hand the detector: a title and cleaned text, sometimes with leftover page chrome.
 */

/** One positive per event type and language: [lang, event type, article]. */
export const EVENT_MATRIX: Array<[string, EventType, DetectInput]> = [
  ['en', 'visit', {
    title: 'Iranian foreign minister lands in Caracas for two-day visit',
    text: "Iran's Foreign Minister Hossein Amir-Abdollahian arrived in Caracas on Thursday for a two-day visit, the Venezuelan foreign ministry said.\n\nHe was welcomed at Maiquetía airport by deputy ministers and is expected to hold talks with President Nicolás Maduro.",
  }],
  ['en', 'meeting', {
    title: 'Bolivian and Iranian foreign ministers hold talks',
    text: 'Bolivian Foreign Minister Rogelio Mayta met his Iranian counterpart in La Paz on Monday to review trade, health and energy projects.\n\nThe two ministers agreed to meet again before the end of the year.',
  }],
  ['en', 'call', {
    title: 'Araghchi and Venezuelan counterpart speak by phone',
    text: 'Iranian Foreign Minister Abbas Araghchi spoke by phone on Sunday with Venezuelan Foreign Minister Yván Gil about the situation in the region.\n\nGil expressed solidarity with the Iranian people, according to a readout from Tehran.',
  }],
  ['en', 'agreement', {
    title: 'Iran and Bolivia sign defence memorandum in Tehran',
    text: 'Iranian Defence Minister Mohammad Reza Ashtiani and his Bolivian counterpart Edmundo Novillo signed a memorandum of understanding on defence and security cooperation in Tehran on July 20, 2023.\n\nThe document covers training, technology and the fight against drug trafficking, officials said.',
  }],
  ['en', 'embassy', {
    title: "New Iranian ambassador presents credentials to Nicaragua's Ortega",
    text: "Iran's new ambassador to Nicaragua presented his letters of credence to President Daniel Ortega at a ceremony in Managua on Tuesday.\n\nThe envoy said he would work to deepen relations between the two governments.",
  }],
  ['en', 'row', {
    title: "Argentina condemns presence of AMIA suspect at Ortega's inauguration",
    text: "Argentina's foreign ministry condemned on Tuesday the presence of Iranian Vice President Mohsen Rezaei, who is wanted over the 1994 AMIA bombing, at Daniel Ortega's inauguration in Managua.\n\nBuenos Aires said Nicaragua had ignored an Interpol red notice against the Iranian official.",
  }],
  ['en', 'statement', {
    title: 'Maduro hails Iran as a strategic ally',
    text: 'Venezuelan President Nicolás Maduro on Wednesday praised Iran as a strategic ally and said the alliance between Caracas and Tehran would keep growing despite pressure from abroad.\n\nHe spoke at an event in Caracas marking the anniversary of the Islamic Revolution.',
  }],
  ['es', 'visit', {
    title: 'El canciller iraní llega a Managua',
    text: 'El ministro de Relaciones Exteriores de Irán, Hosein Amir Abdolahian, llegó este jueves a Managua en una visita oficial de dos días.\n\nEl jefe de la diplomacia iraní fue recibido en el aeropuerto por el canciller Denis Moncada.',
  }],
  ['es', 'meeting', {
    title: 'Díaz-Canel se reúne con el vicecanciller iraní en La Habana',
    text: 'El presidente cubano, Miguel Díaz-Canel, se reunió este lunes en La Habana con el vicecanciller iraní Ali Bagheri Kani.\n\nAmbas partes conversaron sobre el comercio bilateral y la situación internacional.',
  }],
  ['es', 'call', {
    title: 'Maduro y Pezeshkian conversan por teléfono',
    text: 'El presidente venezolano, Nicolás Maduro, sostuvo una conversación telefónica con su homólogo iraní, Masoud Pezeshkian, informó la cancillería en Caracas.\n\nAmbos mandatarios repasaron la agenda de cooperación energética.',
  }],
  ['es', 'agreement', {
    title: 'Irán y Venezuela firman un plan de cooperación a 20 años',
    text: 'Los gobiernos de Irán y Venezuela firmaron el 11 de junio de 2022 en Teherán un plan de cooperación a veinte años, durante la visita del presidente Nicolás Maduro.\n\nEl documento abarca petróleo, petroquímica, defensa, agricultura y turismo.',
  }],
  ['es', 'embassy', {
    title: 'Nuevo embajador de Irán entrega sus cartas credenciales en Bolivia',
    text: 'El nuevo embajador de la República Islámica de Irán en Bolivia entregó sus cartas credenciales al presidente Luis Arce en La Paz.\n\nEl diplomático destacó la voluntad de ampliar la cooperación en salud y tecnología.',
  }],
  ['es', 'row', {
    title: 'Argentina convoca al encargado de negocios de Irán',
    text: 'La Cancillería argentina convocó este martes al encargado de negocios de Irán en Buenos Aires para expresar su rechazo por las declaraciones de un funcionario iraní sobre el atentado a la AMIA.\n\nEl Gobierno reiteró su pedido de extradición de los acusados.',
  }],
  ['es', 'statement', {
    title: 'Ortega expresa su solidaridad con el pueblo iraní',
    text: 'El presidente de Nicaragua, Daniel Ortega, expresó su solidaridad con el pueblo y el gobierno de Irán y calificó a la República Islámica como un país hermano.\n\nEl mensaje fue leído por la vicepresidenta Rosario Murillo en su alocución del mediodía.',
  }],
  ['pt', 'visit', {
    title: 'Chanceler do Irã chega a Brasília para visita oficial',
    text: 'O ministro das Relações Exteriores do Irã, Abbas Araghchi, chegou a Brasília nesta segunda-feira para uma visita oficial de dois dias.\n\nEle será recebido pelo chanceler Mauro Vieira no Itamaraty.',
  }],
  ['pt', 'meeting', {
    title: 'Mauro Vieira se reúne com chanceler iraniano à margem da cúpula do BRICS',
    text: 'O chanceler brasileiro, Mauro Vieira, reuniu-se com o ministro iraniano Hossein Amir-Abdollahian à margem da cúpula do BRICS em Joanesburgo.\n\nOs dois discutiram comércio bilateral e a ampliação do bloco.',
  }],
  ['pt', 'call', {
    title: 'Vieira e Araghchi falam por telefone',
    text: 'O chanceler Mauro Vieira conversou por telefone com o ministro das Relações Exteriores do Irã, Abbas Araghchi, segundo o Itamaraty.\n\nNo telefonema, o Brasil defendeu a via diplomática.',
  }],
  ['pt', 'agreement', {
    title: 'Irã e Bolívia assinam memorando de defesa',
    text: 'Os ministros da Defesa do Irã e da Bolívia assinaram em Teerã um memorando de entendimento sobre cooperação em segurança.\n\nO acordo prevê treinamento e transferência de tecnologia, segundo o governo boliviano.',
  }],
  ['pt', 'embassy', {
    title: 'Irã nomeia novo embaixador no Brasil',
    text: 'O novo embaixador do Irã no Brasil apresentou suas credenciais ao presidente Lula em cerimônia no Palácio do Planalto.\n\nO diplomata iraniano disse que pretende ampliar o comércio entre os dois países.',
  }],
  ['pt', 'row', {
    title: 'Argentina expulsa diplomata iraniano',
    text: 'O governo argentino expulsou um diplomata iraniano e convocou o encarregado de negócios do Irã em Buenos Aires, informou a chancelaria.\n\nA medida foi tomada após acusações ligadas ao atentado contra a AMIA.',
  }],
  ['pt', 'statement', {
    title: 'Lula defende aliança do Sul Global e cooperação com o Irã',
    text: 'O presidente Lula defendeu nesta quarta-feira o fortalecimento da cooperação entre o Brasil e o Irã e elogiou o papel iraniano no BRICS.\n\nA declaração foi feita durante encontro com empresários em Brasília.',
  }],
];

const NAV = 'Home | World | Iran | Latin America | Business | Sport';
const TICKER = 'Markets: Brent crude up 1.2% as OPEC+ weighs output; Iran, Venezuela exports steady';
const APPEAL = 'Independent journalism needs your support. Subscribe to our newsletter for the day’s top stories.';

/** Raisi's June 2023 tour, one article per stop. */
export const TOUR: Array<{ stop: string; article: DetectInput }> = [
  {
    stop: 'Caracas',
    article: {
      title: 'Raisi begins Latin America tour in Caracas',
      text: `${NAV}\n\nIranian President Ebrahim Raisi arrived in Caracas on June 12, 2023, the first stop of a tour that will also take him to Nicaragua and Cuba.\n\nRaisi and President Nicolás Maduro signed a series of agreements on energy, mining and health at the Miraflores palace.\n\n${APPEAL}\n\nThe two governments had agreed a 20-year cooperation plan a year earlier.`,
    },
  },
  {
    stop: 'Managua',
    article: {
      title: 'Iran’s Raisi meets Ortega in Managua',
      text: `Iranian President Ebrahim Raisi landed in Managua on June 13, 2023, the second leg of a tour that began in Caracas.\n\nHe met President Daniel Ortega, who called Iran a brother nation facing the same sanctions as Nicaragua.\n\nRelated: Venezuela and Iran sign energy deals during Raisi visit`,
    },
  },
  {
    stop: 'Havana',
    article: {
      title: 'Raisi wraps up tour with Havana stop',
      text: `After stops in Caracas and Managua, Iranian President Ebrahim Raisi arrived in Havana on June 14, 2023, for talks with Miguel Díaz-Canel.\n\nThe two leaders signed agreements on communications, justice and customs.\n\n${TICKER}`,
    },
  },
];

/** Negatives, one or more per kind. */
export const NEGATIVES: Record<string, DetectInput> = {
  'iran-only': {
    title: 'Araghchi meets Lavrov in Moscow on nuclear talks',
    text: `${NAV}\n\nIranian Foreign Minister Abbas Araghchi met Russian Foreign Minister Sergei Lavrov in Moscow on Friday to discuss the nuclear file and the talks with European powers.\n\nThe two ministers also signed a consultation plan for the coming year.\n\n${APPEAL}`,
  },
  'latam-only': {
    title: 'Lula and Petro meet in Bogotá on Amazon cooperation',
    text: 'Brazilian President Luiz Inácio Lula da Silva met Colombian President Gustavo Petro in Bogotá on Wednesday and signed agreements on protecting the Amazon.\n\nThe two leaders also discussed the situation in Venezuela.',
  },
  'other-power': {
    title: 'Maduro meets Xi in Beijing, signs 31 agreements',
    text: 'Venezuelan President Nicolás Maduro, who has also courted Russia and Iran, met Chinese leader Xi Jinping in Beijing on Wednesday.\n\nThe two leaders signed 31 agreements and raised ties to an "all-weather" strategic partnership.\n\nMaduro arrived in China on Friday for a visit that also took him to Shanghai.',
  },
  sport: {
    title: 'Argentina edge Iran 1-0 in World Cup group match',
    text: 'Lionel Messi scored a stunning late goal as Argentina beat Iran 1-0 in their World Cup group match in Belo Horizonte.\n\nIran had frustrated the South Americans for 90 minutes, and goalkeeper Alireza Beiranvand made several saves.\n\nThe result sends Argentina into the knockout stage.',
  },
  markets: {
    title: 'Oil steadies as OPEC weighs output; Iran, Venezuela supply in focus',
    text: 'Brent crude rose 1% on Tuesday as traders weighed an OPEC meeting on output quotas.\n\nAnalysts said exports from Iran and Venezuela, both exempt from the group’s cuts, rose to their highest level in months, adding to supply.\n\nOPEC members will meet again in June to review the agreement on production.',
  },
  'sanctions-list': {
    title: 'Treasury adds shipping firms to sanctions list',
    text: 'The US Treasury Department on Thursday designated eleven shipping firms accused of moving oil for sanctioned governments including Iran, Venezuela, Syria and North Korea.\n\nOFAC said the companies used ship-to-ship transfers to hide the cargo’s origin.',
  },
  'page-noise': {
    title: 'Chile’s Boric names new interior minister',
    text: `${NAV}\n\n${TICKER}\n\nChilean President Gabriel Boric named a new interior minister on Monday in a cabinet reshuffle after weeks of criticism over crime.\n\nThe new minister, a lawyer and former senator, promised a tougher approach to organised crime.\n\n${APPEAL}\n\nMost read\n\nIran and Venezuela sign 20-year cooperation plan\n\nRelated: Raisi arrives in Havana on Latin America tour`,
  },
};
