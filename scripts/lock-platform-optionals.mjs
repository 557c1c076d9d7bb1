// The registry this project installs from does not carry every platform build of
// msgpackr-extract (an optional native speed-up of BullMQ's msgpackr). npm then leaves
// those optional packages out of package-lock.json and `npm ci` refuses the lock.
// This records them as optional, platform-restricted entries (never installed on
// Linux x64), so `npm ci` accepts the lock. Run after `npm install` changes the lock.
import { readFileSync, writeFileSync } from 'node:fs'

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
const parent = lock.packages['node_modules/msgpackr-extract']
let added = 0
for (const [name, version] of Object.entries(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`
  if (lock.packages[key]) continue
  const [os, cpu] = name.split('msgpackr-extract-')[1].split('-')
  lock.packages[key] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] }
  added++
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n')
console.log(`recorded ${added} optional platform package(s)`)
