import cytoscape, { type Core } from 'cytoscape';
import { useEffect, useRef } from 'react';

export interface CanvasNode {
  id: string;
  label: string;
  /** entity, knowledge, chunk… picks the shape. */
  group: string;
  /** added, changed, removed or existing: picks the colour (graph diffs). */
  state?: 'added' | 'changed' | 'removed' | 'existing';
}
export interface CanvasEdge {
  id: string;
  from: string;
  to: string;
  label: string;
  state?: CanvasNode['state'];
}

const COLOURS = { added: '#1a7f37', changed: '#b35900', removed: '#c62828', existing: '#4a5568' } as const;

/**
 * A small Cytoscape.js drawing of nodes and edges (the review diff, the explorer's neighbourhood).
 * Canvas drawings are invisible to screen readers, so every user of this component also lists the same
 * nodes as text; `onSelect` gives keyboard-free mouse users a shortcut, never the only way.
 */
export default function GraphCanvas({ nodes, edges, onSelect, label, height = 320 }: { nodes: CanvasNode[]; edges: CanvasEdge[]; onSelect?: (id: string) => void; label: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    if (!box.current) return;
    cy.current = cytoscape({
      container: box.current,
      style: [
        { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-wrap': 'ellipsis', 'text-max-width': '140px', 'text-valign': 'bottom', 'text-margin-y': 4, 'background-color': 'data(colour)', width: 22, height: 22, color: '#1a202c' } },
        { selector: 'node[group = "knowledge"]', style: { shape: 'round-rectangle', width: 28 } },
        { selector: 'node[group = "chunk"]', style: { shape: 'diamond' } },
        { selector: 'node[state = "removed"]', style: { 'border-style': 'dashed', 'border-width': 2, 'border-color': COLOURS.removed, 'background-opacity': 0.4 } },
        { selector: 'edge', style: { label: 'data(label)', 'font-size': 9, width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)', color: '#4a5568' } },
        { selector: 'edge[state = "removed"]', style: { 'line-style': 'dashed' } },
      ],
    });
    cy.current.on('tap', 'node', (e) => onSelectRef.current?.(e.target.id() as string));
    return () => cy.current?.destroy();
  }, []);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    c.elements().remove();
    c.add([
      ...nodes.map((n) => ({ group: 'nodes' as const, data: { id: n.id, label: n.label, group: n.group, state: n.state ?? 'existing', colour: COLOURS[n.state ?? 'existing'] } })),
      ...edges
        .filter((e) => nodes.some((n) => n.id === e.from) && nodes.some((n) => n.id === e.to))
        .map((e) => ({ group: 'edges' as const, data: { id: e.id, source: e.from, target: e.to, label: e.label, state: e.state ?? 'existing', colour: COLOURS[e.state ?? 'existing'] } })),
    ]);
    // Edge labels only while they stay readable.
    if (nodes.length > 12) c.edges().style('label', '');
    c.layout({ name: nodes.length > 12 ? 'cose' : 'breadthfirst', animate: false, padding: 20 } as cytoscape.LayoutOptions).run();
  }, [nodes, edges]);

  return <div ref={box} className="graph-canvas" style={{ height }} role="img" aria-label={label} data-testid="graph-canvas" />;
}
