// The catalogue a fresh shop starts with: goods sold across Pakistan, priced in paisa.
import { money } from '@bazaar/kit/server';
import type { NewProduct } from './product.ts';

const rs = (rupees: number) => money(rupees * 100);

export const starterCatalogue: NewProduct[] = [
  {
    sku: 'LAWN-001',
    name: 'Embroidered lawn suit, 3-piece',
    description: 'Unstitched summer lawn: printed shirt, dyed trousers and a chiffon dupatta.',
    price: rs(4_500),
    quantity: 120,
  },
  {
    sku: 'CHAPPAL-001',
    name: 'Peshawari chappal',
    description: 'Handmade leather sandals with a tyre-rubber sole, stitched in Peshawar.',
    price: rs(3_200),
    quantity: 60,
  },
  {
    sku: 'RICE-001',
    name: 'Basmati rice, 5 kg',
    description: 'Aged super kernel basmati from the Punjab, long grain and fragrant.',
    price: rs(2_150),
    quantity: 200,
  },
  {
    sku: 'AJRAK-001',
    name: 'Ajrak shawl',
    description: 'Block-printed cotton in indigo and madder, made by hand in Sindh.',
    price: rs(2_800),
    quantity: 75,
  },
  {
    sku: 'POTTERY-001',
    name: 'Multani blue pottery vase',
    description: 'Hand-painted kashi work in cobalt and turquoise from Multan.',
    price: rs(1_850),
    quantity: 40,
  },
  {
    sku: 'BAT-001',
    name: 'Cricket bat, English willow',
    description: 'Full-size bat made in Sialkot, knocked in and ready to play.',
    price: rs(12_500),
    quantity: 25,
  },
  {
    sku: 'APRICOT-001',
    name: 'Hunza dried apricots, 500 g',
    description: 'Sun-dried apricots from the Hunza valley, no added sugar.',
    price: rs(1_100),
    quantity: 150,
  },
  {
    sku: 'TEA-001',
    name: 'Kashmiri tea, 250 g',
    description: 'Green tea leaves for noon chai, the pink tea with salt and pistachios.',
    price: rs(950),
    quantity: 180,
  },
  {
    sku: 'CHARPAI-001',
    name: 'Charpai',
    description: 'Rope-woven bed on a sheesham wood frame, for the courtyard or the roof.',
    price: rs(18_000),
    quantity: 25,
  },
  {
    sku: 'TOPI-001',
    name: 'Sindhi topi',
    description: 'Embroidered cap with mirror work, the pride of Sindhi culture day.',
    price: rs(1_200),
    quantity: 90,
  },
  {
    sku: 'KHUSSA-001',
    name: 'Multani khussa',
    description: 'Embroidered leather slip-ons with a curled toe, made in Multan.',
    price: rs(2_400),
    quantity: 80,
  },
  {
    sku: 'SALT-001',
    name: 'Himalayan pink salt lamp',
    description: 'Hand-carved rock salt from the Khewra mine, with a wooden base.',
    price: rs(1_650),
    quantity: 100,
  },
];
