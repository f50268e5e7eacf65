// Amplify JS v6 against gureum's Cognito: sign up, confirm with the code gureum captured, sign in (USER_SRP_AUTH,
// Amplify's default), read the session's tokens, sign out. Prints one JSON line per step; exits 1 on an error.
// Usage: node amplify.cjs <endpoint> <userPoolId> <clientId> <username> <password> <email>
const { Amplify } = require("aws-amplify");
const auth = require("aws-amplify/auth");

const [endpoint, userPoolId, userPoolClientId, username, password, email] = process.argv.slice(2);
const say = (doc) => console.log(JSON.stringify(doc));

async function lastCode() {
  const url = `${endpoint}/_gureum/cognito/codes?userPoolId=${userPoolId}&username=${username}`;
  const found = await (await fetch(url)).json();
  return found.messages[0].code;
}

async function main() {
  Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
  const up = await auth.signUp({ username, password, options: { userAttributes: { email } } });
  say({ step: "signUp", next: up.nextStep.signUpStep, medium: up.nextStep.codeDeliveryDetails?.deliveryMedium });
  const confirmed = await auth.confirmSignUp({ username, confirmationCode: await lastCode() });
  say({ step: "confirmSignUp", complete: confirmed.isSignUpComplete });
  try {
    await auth.signIn({ username, password: password + "wrong" });
  } catch (error) {
    say({ step: "wrongPassword", name: error.name, message: error.message });
  }
  const signedIn = await auth.signIn({ username, password });
  say({ step: "signIn", signedIn: signedIn.isSignedIn, next: signedIn.nextStep.signInStep });
  const session = await auth.fetchAuthSession();
  const user = await auth.getCurrentUser();
  say({
    step: "session",
    username: user.username,
    email: session.tokens.idToken.payload.email,
    tokenUse: session.tokens.accessToken.payload.token_use,
  });
  const attributes = await auth.fetchUserAttributes();
  say({ step: "attributes", email: attributes.email, verified: attributes.email_verified });
  await auth.signOut();
  say({ step: "signOut" });
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
