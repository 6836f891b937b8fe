import { createContext, useContext } from 'react';
import { translator, type Lang, type Translate } from './messages';

export { dictionaries, initialLang, translator, type Lang, type MessageKey, type Translate } from './messages';

export const LangContext = createContext<{ lang: Lang; t: Translate }>({ lang: 'en', t: translator('en') });
export const useT = () => useContext(LangContext);
