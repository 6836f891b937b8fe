import { useEffect, useRef, useState } from 'react';
import type { Api } from '../api';
import { useT } from '../i18n';

export interface CitationRef {
  knowledgeId: string | null;
  documentId: string | null;
  chunkId: string | null;
  start: number | null;
  end: number | null;
  quote: string | null;
}
interface Source {
  documentTitle: string;
  quote: string;
  start: number;
  end: number;
  chunkId: string;
}
interface Item {
  kind: string;
  question?: string | null;
  answer?: string | null;
  statement?: string | null;
  name?: string;
  then?: string;
  sources: Source[];
}

const ITEM = `query Source($id: ID!) { knowledgeItem(id: $id) { kind sources { documentTitle quote start end chunkId }
  ... on Fact { question answer statement } ... on Rule { name then } ... on Process { name } } }`;

/** A modal with the passage a citation points to: the quoted sentence and the document it comes from. */
export function SourceDialog({ api, citation, onClose }: { api: Api; citation: CitationRef; onClose: () => void }) {
  const { t } = useT();
  const [item, setItem] = useState<Item | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  useEffect(() => {
    if (!citation.knowledgeId) return;
    api.request<{ knowledgeItem: Item | null }>(ITEM, { id: citation.knowledgeId }).then((r) => setItem(r.knowledgeItem), () => setItem(null));
  }, [api, citation.knowledgeId]);

  const source = item?.sources.find((s) => s.chunkId === citation.chunkId && s.start === citation.start) ?? item?.sources[0];
  const title = item?.question ?? item?.name ?? item?.statement ?? null;
  return (
    <div className="overlay" onClick={onClose}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="source-title" onClick={(e) => e.stopPropagation()} data-testid="source-dialog">
        <h3 id="source-title">{t('sourcePassage')}</h3>
        {source && <p className="muted">{t('sourceFrom', { title: source.documentTitle })}</p>}
        {title && <p className="source-item">{title}</p>}
        <blockquote className="source-quote"><mark>{citation.quote ?? source?.quote ?? item?.answer ?? item?.then ?? ''}</mark></blockquote>
        <button type="button" ref={closeRef} onClick={onClose}>{t('close')}</button>
      </div>
    </div>
  );
}
