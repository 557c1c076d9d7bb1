import { buildLookupSeed, type LookupSeed } from './data.js'
import { PopulationSimulator } from './population.js'
import { BhxhSimulator } from './bhxh.js'
import { BusinessRegistrySimulator, CivilStatusSimulator, TaxSimulator } from './registry.js'

export { buildLookupSeed, PopulationSimulator, BhxhSimulator, BusinessRegistrySimulator, CivilStatusSimulator, TaxSimulator }
export type { LookupSeed }

export interface LookupSimulators {
  seed: LookupSeed
  population: PopulationSimulator
  businessRegistry: BusinessRegistrySimulator
  tax: TaxSimulator
  bhxh: BhxhSimulator
  civilStatus: CivilStatusSimulator
}

/** The five lookup simulators over one seeded data set. */
export function lookupSimulators(seedValue: number): LookupSimulators {
  const seed = buildLookupSeed(seedValue)
  return {
    seed,
    population: new PopulationSimulator(seed),
    businessRegistry: new BusinessRegistrySimulator(seed),
    tax: new TaxSimulator(seed),
    bhxh: new BhxhSimulator(seed),
    civilStatus: new CivilStatusSimulator(seed),
  }
}
