#!/usr/bin/env node
/**
 * A test wallet written from the specs, with Digital Bazaar's libraries (none of the issuer's code):
 * it claims a credential over a VC-API exchange with DID Authentication, as the DCC Learner
 * Credential Wallet does (app/lib/exchanges.ts, didAuthRequest.ts), and checks what it got with
 * the independent verifier (../verifier/verify.mjs).
 *
 *   node wallet.mjs claim CLAIM_URL [--suite Ed25519Signature2020|eddsa-rdfc-2022] [--vc-version 1.0|2.0]
 *                   [--now ISO] [--resolve https://public.origin=http://127.0.0.1:PORT]...
 *
 *     1. GET CLAIM_URL asking for JSON: the interaction URL's {"protocols": {"vcapi": EXCHANGE}}
 *     2. POST {} to EXCHANGE: {"verifiablePresentationRequest": {query DIDAuthentication, challenge,
 *        domain, interact}}
 *     3. make a did:key of its own, sign an empty presentation (holder = that DID, purpose
 *        authentication, with the challenge and domain) and POST {"verifiablePresentation": vp}
 *        to interact.service[0].serviceEndpoint
 *     4. take the credential out of the returned presentation, fetch the issuer's DID document
 *        (did:web) and the status list the credential names, and run the independent verifier
 *     Prints one JSON object: {holder, request, response, credential, verification} and exits 0;
 *     an exchange that answers an error prints {holder, status, error} and exits 1.
 *
 *   node wallet.mjs present --challenge C --domain D [--suite ...] [--vc-version ...] [--now ISO]
 *                   [--holder DID]
 *     Prints a DIDAuth presentation signed by a fresh did:key (holder: that DID, or --holder to
 *     name another), for tests that send it themselves.
 *
 * `--now`: the wallet's clock (the proof's `created`, the verifier's present), so a test on a
 * manual clock agrees with the issuer. `--resolve`: requests for that origin go to the other one
 * (curl's --resolve, as DNS would send them), so a credential naming its public address can be
 * claimed from a server on loopback. JSON-LD contexts come from ../../credentials/contexts/index.json
 * and, for VC 1.1 and Ed25519Signature2020, from their npm packages; nothing is fetched.
 */
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs, promisify} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import ed25519Context2020 from 'ed25519-signature-2020-context';

const CONTEXTS_DIR = new URL('../../credentials/contexts/', import.meta.url);
const VERIFIER = new URL('../verifier/verify.mjs', import.meta.url);
const CREDENTIALS_V1 = 'https://www.w3.org/2018/credentials/v1';

/** The issuer's bundled contexts (VC 2.0, Data Integrity, Multikey), and the VC 1.1 and
 * Ed25519Signature2020 contexts from their own npm packages (a wallet like LCW signs with those). */
async function contexts() {
  const index = JSON.parse(await readFile(new URL('index.json', CONTEXTS_DIR), 'utf8'));
  const found = new Map();
  for(const [url, file] of Object.entries(index)) {
    found.set(url, JSON.parse(await readFile(new URL(file, CONTEXTS_DIR), 'utf8')));
  }
  for(const url of [CREDENTIALS_V1]) {
    found.set(url, credentialsContexts.get(url));
  }
  found.set(ed25519Context2020.constants.CONTEXT_URL, ed25519Context2020.contexts.get(ed25519Context2020.constants.CONTEXT_URL));
  return found;
}

async function documentLoaderFor() {
  const known = await contexts();
  const didKeyDriver = didKey.driver();
  didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  return async url => {
    if(known.has(url)) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(known.get(url))};
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await didKeyDriver.get({url})};
    }
    throw new Error(`refusing to load ${url}: offline`);
  };
}

/** A did:key of the wallet's own and the suite that signs with it, as LCW does (Ed25519Signature2020
 * with an Ed25519VerificationKey2020) or with Data Integrity eddsa-rdfc-2022 (a Multikey). */
async function walletKey({suite, now}) {
  const date = now ? new Date(now) : undefined;
  if(suite === 'Ed25519Signature2020') {
    const key = await Ed25519VerificationKey2020.generate();
    const did = `did:key:${key.fingerprint()}`;
    key.controller = did;
    key.id = `${did}#${key.fingerprint()}`;
    return {did, suite: new Ed25519Signature2020({key, date})};
  }
  if(suite === 'eddsa-rdfc-2022') {
    const key = await Ed25519Multikey.generate();
    const did = `did:key:${key.publicKeyMultibase}`;
    key.controller = did;
    key.id = `${did}#${key.publicKeyMultibase}`;
    return {did, suite: new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022CryptoSuite, date})};
  }
  throw new Error(`unknown suite ${suite}`);
}

async function didAuthentication({challenge, domain, options, holder}) {
  const key = await walletKey({suite: options.suite, now: options.now});
  const presentation = vc.createPresentation({
    holder: holder ?? key.did, version: Number(options['vc-version'])
  });
  const signed = await vc.signPresentation({
    presentation, suite: key.suite, challenge, domain, documentLoader: await documentLoaderFor()
  });
  return {did: key.did, presentation: signed};
}

function resolver(mappings) {
  const pairs = mappings.map(mapping => {
    const [from, to] = mapping.split('=');
    return [new URL(from).origin, new URL(to).origin];
  });
  return url => {
    const parsed = new URL(url);
    const found = pairs.find(([from]) => from === parsed.origin);
    return found ? found[1] + parsed.pathname + parsed.search : url;
  };
}

async function getJson(url, resolve) {
  const response = await fetch(resolve(url), {headers: {Accept: 'application/json'}});
  if(!response.ok) {
    throw new Error(`GET ${url}: HTTP ${response.status}`);
  }
  return response.json();
}

async function post(url, body, resolve) {
  const response = await fetch(resolve(url), {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)
  });
  return {status: response.status, body: await response.json()};
}

async function independentlyVerified({credential, now, resolve}) {
  const folder = await mkdtemp(join(tmpdir(), 'wallet-'));
  try {
    const args = [VERIFIER.pathname, join(folder, 'credential.json')];
    await writeFile(args[1], JSON.stringify(credential));
    const issuer = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
    const published = {};
    if(issuer.startsWith('did:web:')) {
      // did:web:host%3Aport:path -> https://host:port/path/did.json (or /.well-known/did.json)
      const [host, ...path] = issuer.slice('did:web:'.length).split(':').map(decodeURIComponent);
      const scheme = /^(localhost|127\.0\.0\.1)(:|$)/.test(host) ? 'http' : 'https';
      const url = path.length ? `${scheme}://${host}/${path.join('/')}/did.json` :
        `${scheme}://${host}/.well-known/did.json`;
      published.didDocument = await getJson(url, resolve);
      args.push('--did-document', join(folder, 'did.json'));
      await writeFile(join(folder, 'did.json'), JSON.stringify(published.didDocument));
    }
    const statusList = credential.credentialStatus?.statusListCredential;
    if(statusList) {
      published.statusList = await getJson(statusList, resolve);
      args.push('--status-list', join(folder, 'status.json'));
      await writeFile(join(folder, 'status.json'), JSON.stringify(published.statusList));
    }
    if(now) {
      args.push('--now', now);
    }
    let stdout;
    try {
      ({stdout} = await promisify(execFile)(process.execPath, args));
    } catch(error) {
      if(error.code !== 1) {
        throw error;
      }
      stdout = error.stdout;  // exit 1: verified false, with the reasons
    }
    return JSON.parse(stdout);
  } finally {
    await rm(folder, {recursive: true, force: true});
  }
}

async function claim(claimUrl, options) {
  const resolve = resolver(options.resolve);
  const discovery = await fetch(resolve(claimUrl), {headers: {Accept: 'application/json'}});
  if(!discovery.ok) {
    return {status: discovery.status, error: await discovery.json()};
  }
  const exchangeUrl = (await discovery.json()).protocols.vcapi;
  const first = await post(exchangeUrl, {}, resolve);
  if(first.status !== 200) {
    return {status: first.status, error: first.body};
  }
  const request = first.body.verifiablePresentationRequest;
  const queries = [].concat(request.query);
  if(!queries.some(query => query.type === 'DIDAuthentication')) {
    throw new Error('the exchange did not ask for DID Authentication');
  }
  const {did, presentation} = await didAuthentication({
    challenge: request.challenge, domain: request.domain, options
  });
  const endpoint = request.interact?.service?.[0]?.serviceEndpoint ?? exchangeUrl;
  const second = await post(endpoint, {verifiablePresentation: presentation}, resolve);
  if(second.status !== 200) {
    return {holder: did, status: second.status, error: second.body};
  }
  const credentials = [].concat(second.body.verifiablePresentation?.verifiableCredential ?? []);
  if(credentials.length !== 1) {
    throw new Error(`expected one credential, got ${credentials.length}`);
  }
  const [credential] = credentials;
  const verification = await independentlyVerified({credential, now: options.now, resolve});
  return {holder: did, request: first.body, response: second.body, credential, verification};
}

async function main() {
  const {positionals, values} = parseArgs({
    allowPositionals: true,
    options: {
      suite: {type: 'string', default: 'Ed25519Signature2020'},
      'vc-version': {type: 'string', default: '1.0'},
      now: {type: 'string'},
      resolve: {type: 'string', multiple: true, default: []},
      challenge: {type: 'string'},
      domain: {type: 'string'},
      holder: {type: 'string'}
    }
  });
  const [command, url] = positionals;
  let result;
  if(command === 'claim' && url) {
    result = await claim(url, values);
  } else if(command === 'present' && values.challenge !== undefined) {
    result = await didAuthentication({
      challenge: values.challenge, domain: values.domain, options: values, holder: values.holder
    });
  } else {
    console.error('usage: node wallet.mjs claim CLAIM_URL [...] | present --challenge C --domain D [...]');
    return 2;
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  return command === 'claim' && result.error ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch(error) {
  console.error(error);
  process.exitCode = 3;  // not a refusal by the exchange: the wallet itself failed
}
