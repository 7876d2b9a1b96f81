// link: an anchor whose plain left-clicks move within the app instead of reloading the page.
// Vite's dev-server dependency scan reads this file under no app's tsconfig, and took its JSX for React's.
/** @jsxImportSource preact */
import type { AnchorHTMLAttributes, ComponentChildren, TargetedMouseEvent } from 'preact';

export type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** linkThrough makes the app's Link, moving with its own navigate; clicks meant for a new tab pass through. */
export function linkThrough(navigate: (href: string) => void) {
  return function Link({ href, onClick, ...rest }: LinkProps) {
    const handle = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
      if (typeof onClick === 'function') onClick(event);
      if (
        event.defaultPrevented ||
        event.button !== 0 ||
        event.metaKey ||
        event.ctrlKey ||
        event.shiftKey ||
        event.altKey
      )
        return;
      event.preventDefault();
      navigate(href);
    };
    return <a href={href} onClick={handle} {...rest} />;
  };
}
