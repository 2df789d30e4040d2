import { render } from 'preact';
import { MicrophonePage } from '../../components/MicrophonePage';

render(<MicrophonePage />, document.getElementById('app')!);
