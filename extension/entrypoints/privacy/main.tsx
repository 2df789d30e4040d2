import { render } from 'preact';
import { PrivacyNotice } from '../../components/PrivacyNotice';
import { privacyNotice } from '../../privacy-notice/privacy-notice';

render(<PrivacyNotice notice={privacyNotice()} />, document.getElementById('app')!);
