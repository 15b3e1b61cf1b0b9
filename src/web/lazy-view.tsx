/**
 * A page that is its own chunk: `lazyView(() => import('./page.tsx').then((m) => m.Page))` is a
 * component with the page's props that imports the module when first rendered, keeps it (later
 * renders are immediate), shows the loading text meanwhile, and when the chunk does not load an
 * error line with two ways on: try the import again (the network failed for a moment), or reload
 * the console — after an update the old chunk is gone from the server, and only a page loaded
 * anew knows the new one's name. A console left open for weeks on a control-room screen meets
 * exactly that.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from './context.ts';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  // One import at a time for all instances; a failed one is forgotten, so a retry imports anew.
  const start = (): Promise<ComponentType<P>> =>
    (pending ??= load().then(
      (view) => (loaded = view),
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    ));

  return function LazyView(props: P) {
    const { t } = useConsole();
    // Only to render again once the module is there (`loaded`, not state: useState would call a component).
    const [, setReady] = useState(false);
    const [failure, setFailure] = useState<string | undefined>(undefined);
    const View = loaded;

    useEffect(() => {
      // Also when the module came in between this render and now: then `then` runs at once.
      if (View || failure !== undefined) return;
      let live = true;
      start().then(
        () => live && setReady(true),
        (err: unknown) => {
          if (!live) return;
          console.error(err);
          setFailure(err instanceof Error ? err.message : String(err));
        },
      );
      return () => {
        live = false;
      };
    }, [View, failure]);

    if (View) return <View {...props} />;
    if (failure !== undefined)
      return (
        <p class="error" role="alert" data-testid="view-failed">
          {t('common.viewFailed', { detail: failure })}{' '}
          <button type="button" onClick={() => setFailure(undefined)}>
            {t('common.retry')}
          </button>{' '}
          <button type="button" onClick={() => window.location.reload()}>
            {t('common.reload')}
          </button>
        </p>
      );
    return (
      <p class="loading" role="status">
        {t('common.loading')}
      </p>
    );
  };
}
