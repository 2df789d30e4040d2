/** A checkout form with every kind of sensitive field (mirrors the e2e fixture shop's checkout page). */
export const CHECKOUT_HTML = `
<main>
  <h1>Checkout</h1>
  <form id="checkout-form" data-testid="checkout-form" action="/order">
    <label for="name">Full name</label><input id="name" name="name" autocomplete="name">
    <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">
    <label for="password">Create account password</label><input id="password" name="password" type="password" autocomplete="new-password">
    <label for="phone">Phone</label><input id="phone" name="phone" type="tel" autocomplete="tel">
    <label for="cardnumber">Card number</label><input id="cardnumber" name="cardnumber" autocomplete="cc-number" inputmode="numeric">
    <label for="expiry">Expiry (MM/YY)</label><input id="expiry" name="expiry" autocomplete="cc-exp" placeholder="MM/YY">
    <label for="cvc">CVC</label><input id="cvc" name="cvc" inputmode="numeric">
    <label for="otp">One-time code from your bank</label><input id="otp" name="otp" autocomplete="one-time-code">
    <div data-private id="private-block"><label for="gift">Gift message</label><input id="gift" name="gift-message"></div>
    <label for="notes">Delivery notes</label><textarea id="notes" name="delivery-notes"></textarea>
    <label><input type="checkbox" id="terms" name="terms"> I accept the terms</label>
    <select id="shipping" name="shipping"><option value="std">Standard</option><option value="exp">Express</option></select>
    <div data-codesight-block><div contenteditable="true" id="editor">Dear</div></div>
    <button type="submit" id="place-order">Place order</button>
  </form>
</main>`;
