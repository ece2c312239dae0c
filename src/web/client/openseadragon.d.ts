// The few parts of OpenSeadragon this site uses (the package ships no types).
declare module 'openseadragon' {
  export type Options = {
    element: HTMLElement;
    tileSources: string;
    prefixUrl?: string;
    maxZoomPixelRatio?: number;
    showNavigator?: boolean;
    navigatorPosition?: string;
    visibilityRatio?: number;
    constrainDuringPan?: boolean;
    animationTime?: number;
    showRotationControl?: boolean;
    gestureSettingsMouse?: { clickToZoom?: boolean; dblClickToZoom?: boolean; scrollToZoom?: boolean };
  };
  export type Viewer = {
    addHandler(event: string, handler: (e: { message?: string }) => void): void;
    viewport: { goHome(immediately?: boolean): void };
  };
  export default function OpenSeadragon(options: Options): Viewer;
}
